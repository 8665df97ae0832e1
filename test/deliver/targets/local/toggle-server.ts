import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A tiny instance whose health can be switched per instance (`/sick`, `/well` on its own port)
 * and which says which instance answered (`x-port`), for routing tests.
 */
const SOURCE = `import { createServer } from "node:http";
let sick = false;
createServer((req, res) => {
  if (req.url === "/health") { res.writeHead(sick ? 503 : 200); return res.end(); }
  if (req.url === "/sick") { sick = true; return res.end("sick"); }
  if (req.url === "/well") { sick = false; return res.end("well"); }
  if (req.url === "/env") return res.end(JSON.stringify(process.env));
  if (req.url === "/headers") return res.end(JSON.stringify(req.headers));
  res.writeHead(200, { "x-port": process.env.PORT, "content-type": "text/plain" });
  res.end("ok");
}).listen(Number(process.env.PORT), process.env.HOST);
process.on("SIGTERM", () => process.exit(0));
`;

export async function writeToggleServer(dir: string): Promise<string> {
  const source = join(dir, "toggle-app");
  await mkdir(source, { recursive: true });
  await writeFile(join(source, "server.mjs"), SOURCE);
  return source;
}
