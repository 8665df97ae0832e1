import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gate, projectDir, runTool, type ToolRun } from "./support.js";

/** A project with a lockfile, audited against a registry on the loopback that fails. */
const PROJECT = {
  "package.json":
    '{ "name": "shop", "version": "1.0.0", "private": true, "dependencies": { "left-pad": "1.3.0" } }\n',
  "package-lock.json": `${JSON.stringify({
    name: "shop",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "shop", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } },
      "node_modules/left-pad": {
        version: "1.3.0",
        resolved: "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
        integrity:
          "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEHm6wD6Y4LxyrEoidaSbnH7N/J08AJxbF0N0VSTUpu9A0w==",
      },
    },
  })}\n`,
};

/** Answers every request 503, as a registry whose audit service is down. */
async function failingRegistry(): Promise<Server> {
  const server = createServer((_, res) => {
    res.writeHead(503, { "content-type": "application/json" });
    res.end('{"error":"audit service unavailable"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe("npm audit --json when the audit endpoint fails", () => {
  const dir = projectDir(PROJECT);
  let registry: Server;
  const audit = (port: number, output: string) =>
    runTool(
      "sh",
      [
        "-c",
        `npm audit --json --registry "$1" --cache "$2" > "$3"`,
        "sh",
        `http://127.0.0.1:${port}/`,
        join(dir(), ".npm"),
        output,
      ],
      { cwd: dir(), env: { npm_config_update_notifier: "false" } },
    );
  let unavailable: ToolRun;
  let refused: ToolRun;
  beforeAll(async () => {
    registry = await failingRegistry();
    // A port nothing listens on: one a closed server had.
    const closed = await failingRegistry();
    const refusedPort = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    unavailable = await audit(portOf(registry), "audit-503.json");
    refused = await audit(refusedPort, "audit-refused.json");
  }, 120_000);
  afterAll(() => new Promise((resolve) => registry?.close(resolve)));

  it("is an error that quotes npm's own message, as npm fails", async () => {
    expect(unavailable.code).toBe(1);
    expect(unavailable.stderr).toContain("audit endpoint returned an error");
    const { code, stderr } = await gate(["vulns", "audit-503.json", "--fail-on", "high"], dir());
    expect(code).toBe(2);
    expect(stderr).toContain(
      `npm audit failed: 503 Service Unavailable - POST http://127.0.0.1:${portOf(registry)}/-/npm/v1/security/advisories/bulk`,
    );
    expect(stderr).toContain("nothing was audited");
  });

  it("is the same error when the registry cannot be reached", async () => {
    expect(refused.code).toBe(1);
    const { code, stderr } = await gate(["vulns", "audit-refused.json", "--fail-on", "high"], dir());
    expect(code).toBe(2);
    expect(stderr).toMatch(/npm audit failed: request to .* failed, reason: connect ECONNREFUSED/);
  });
});
