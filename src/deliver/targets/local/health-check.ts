import { get } from "node:http";

/** One GET on the instance itself; resolves to the failure's description, or undefined on 2xx. */
export function probe(port: number, path: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    // A fresh connection each time: a probe must not ride on a socket the app considers idle.
    const req = get({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? undefined : `${path} answered ${status}`);
    });
    req.once("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once("error", (error) => resolve(`${path}: ${error.message}`));
  });
}
