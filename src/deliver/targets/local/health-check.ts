import { connect } from "node:net";
import { HEAD_END, isHeadError, parseResponseHead } from "./http1/message-head.js";

const MAX_HEAD_BYTES = 64 * 1024;

/**
 * One GET on the instance itself; resolves to the failure's description, or undefined on 2xx.
 *
 * A fresh connection each time (a probe must not ride on a socket the app considers idle),
 * written and read on a plain socket with the router's own head parser: only the status
 * line matters, and a node:http client per probe, several times a second per instance,
 * made enough garbage in the agent to lengthen the router's latency tail.
 */
export function probe(port: number, path: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let received: Buffer | undefined;
    let settled = false;
    const socket = connect({ host: "127.0.0.1", port, noDelay: true });
    const settle = (result: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => settle(`${path}: no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      received = received === undefined ? chunk : Buffer.concat([received, chunk]);
      for (;;) {
        const end = received.indexOf(HEAD_END);
        if (end < 0) {
          if (received.length > MAX_HEAD_BYTES) settle(`${path}: the answer head is too large`);
          return;
        }
        const head = parseResponseHead(received.toString("latin1", 0, end));
        if (isHeadError(head)) return settle(`${path}: the answer is not valid HTTP (${head.error})`);
        if (head.status >= 200)
          return settle(head.status < 300 ? undefined : `${path} answered ${head.status}`);
        // An interim answer (103 Early Hints) comes before the real one.
        received = received.subarray(end + 4);
      }
    });
    socket.on("error", (error) => settle(`${path}: ${error.message}`));
    socket.on("close", () => settle(`${path}: the connection closed before an answer`));
    socket.write(
      `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\nuser-agent: shipgate-probe\r\n\r\n`,
    );
  });
}
