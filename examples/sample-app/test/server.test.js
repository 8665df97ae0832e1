// The service's own tests (`npm test`), run by the CI pipeline shipgate generates for it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const serverFile = fileURLToPath(new URL("../server.js", import.meta.url));
let child;
let baseUrl;

before(async () => {
  const port = await freePort();
  child = spawn(process.execPath, [serverFile], {
    env: { ...process.env, PORT: String(port), APP_VERSION: "9.9.9" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // The first log line is printed once the server listens.
  await once(child.stdout, "data");
  baseUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  child.kill("SIGTERM");
  const [code] = await once(child, "exit");
  assert.equal(code, 0);
});

test("health answers ok with the version", async () => {
  const res = await fetch(`${baseUrl}/health`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-app-version"), "9.9.9");
  assert.deepEqual(await res.json(), { status: "ok", version: "9.9.9" });
});

test("orders are listed", async () => {
  const res = await fetch(`${baseUrl}/api/orders`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.orders.length, 3);
});

test("unknown routes answer 404", async () => {
  const res = await fetch(`${baseUrl}/nope`);
  assert.equal(res.status, 404);
});

async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}
