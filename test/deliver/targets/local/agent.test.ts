import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile, stat, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readAgentInfo, writeAgentInfo } from "../../../../src/deliver/targets/local/agent-info.js";
import {
  agentStatus,
  createLocalTarget,
  ensureAgent,
  stopAgent,
} from "../../../../src/deliver/targets/local/index.js";
import { agentPaths } from "../../../../src/deliver/targets/local/paths.js";
import {
  cleanUpAgent,
  groupPids,
  isPidAlive,
  prepareEnvironment,
  sampleRelease,
  tempStateDir,
  waitFor,
  waitHealthy,
} from "./helpers.js";

const stateDirs: string[] = [];
async function stateDir(): Promise<string> {
  const dir = await tempStateDir();
  stateDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(stateDirs.map(cleanUpAgent));
});

function rawStatus(
  port: number,
  authorization?: string,
  path = "/health",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, headers: authorization ? { authorization } : {} },
      (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("the local agent", () => {
  it("starts on demand from a process that then exits, and answers a fresh client", async () => {
    const dir = await stateDir();
    const script = join(dir, "..", "start-agent.mts");
    const entry = pathToFileURL(
      join(import.meta.dirname, "../../../../src/deliver/targets/local/index.ts"),
    ).href;
    await writeFile(
      script,
      `import { ensureAgent } from ${JSON.stringify(entry)};\n` +
        `const agent = await ensureAgent({ stateDir: ${JSON.stringify(dir)} });\n` +
        "console.log(JSON.stringify({ pid: agent.pid, started: agent.started }));\n",
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const caller = spawn(process.execPath, ["--import", tsx, script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    caller.stdout.on("data", (c) => {
      out += c;
    });
    const [code] = await once(caller, "exit");
    expect(code).toBe(0);
    const spawned = JSON.parse(out) as { pid: number; started: boolean };
    expect(spawned.started).toBe(true);
    expect(isPidAlive(caller.pid!)).toBe(false);
    expect(isPidAlive(spawned.pid)).toBe(true);

    const again = await ensureAgent({ stateDir: dir });
    expect(again).toMatchObject({ pid: spawned.pid, started: false });
    const status = await agentStatus({ stateDir: dir });
    expect(status).toMatchObject({ running: true, pid: spawned.pid, environments: [] });
    expect(JSON.stringify(status)).not.toContain((await readAgentInfo(agentPaths(dir)))!.token);
  });

  it("keeps agent.json private and requires the token on every request", async () => {
    const dir = await stateDir();
    const agent = await ensureAgent({ stateDir: dir });
    const paths = agentPaths(dir);
    expect((await stat(paths.infoFile)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.dir)).mode & 0o777).toBe(0o700);
    const info = (await readAgentInfo(paths))!;
    expect(info).toMatchObject({ pid: agent.pid, controlPort: agent.controlPort });

    const missing = await rawStatus(info.controlPort);
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toEqual({
      error: "missing or wrong bearer token",
      code: "local/unauthorized",
    });
    expect((await rawStatus(info.controlPort, `Bearer ${info.token}x`)).status).toBe(401);
    expect((await rawStatus(info.controlPort, info.token)).status).toBe(401);
    expect((await rawStatus(info.controlPort, `Bearer ${info.token}`)).status).toBe(200);
    // A path that is not valid percent-encoding is the caller's mistake, not the agent's.
    const badPath = await rawStatus(info.controlPort, `Bearer ${info.token}`, "/environments/%E0%A4%A");
    expect(badPath.status).toBe(400);
    expect(JSON.parse(badPath.body)).toMatchObject({ code: "local/bad-request" });
  });

  it("starts one agent when several callers ask at once", async () => {
    const dir = await stateDir();
    const agents = await Promise.all(Array.from({ length: 4 }, () => ensureAgent({ stateDir: dir })));
    expect(new Set(agents.map((a) => a.pid)).size).toBe(1);
    expect(agents.filter((a) => a.started)).toHaveLength(1);
  });

  it("replaces a stale agent.json whose pid is dead", async () => {
    const dir = await stateDir();
    const dead = spawn(process.execPath, ["-e", ""]);
    await once(dead, "exit");
    await writeAgentInfo(agentPaths(dir), {
      pid: dead.pid!,
      controlPort: 9,
      token: "stale-token-stale-token",
      startedAt: new Date(0).toISOString(),
    });
    expect(await agentStatus({ stateDir: dir })).toMatchObject({ running: false, stale: true });
    const agent = await ensureAgent({ stateDir: dir });
    expect(agent.started).toBe(true);
    expect(agent.pid).not.toBe(dead.pid);
  });

  it("rejects invalid weights, unknown releases and a router port another process holds", async () => {
    const dir = await stateDir();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const blocked = createLocalTarget({ stateDir: dir, env: "blocked", port: taken });
      await expect(blocked.prepare()).rejects.toMatchObject({
        code: "local/port-in-use",
        message: `port ${taken} is already in use by another process`,
      });
    } finally {
      blocker.close();
    }
    const { target } = await prepareEnvironment(dir, "checks");
    await target.startRelease(sampleRelease("r1", { instances: 0 }));
    await expect(target.setWeights({ r1: 90 })).rejects.toMatchObject({ code: "local/invalid-weights" });
    await expect(target.setWeights({ r1: 50, nope: 50 })).rejects.toMatchObject({
      code: "local/unknown-release",
    });
    await expect(target.startRelease(sampleRelease("../x"))).rejects.toMatchObject({
      code: "local/bad-request",
    });
    await expect(target.scaleRelease("nope", 1)).rejects.toMatchObject({ code: "local/unknown-release" });
    const log = await readFile(agentPaths(dir).logFile, "utf8");
    expect(log).not.toContain((await readAgentInfo(agentPaths(dir)))!.token);
  });

  it("records retireAt for a delayed stop, then stops the release when it is due", async () => {
    const dir = await stateDir();
    const { target } = await prepareEnvironment(dir, "retire");
    await target.startRelease(sampleRelease("old"));
    await waitHealthy(target, "old", 1);
    const before = Date.now();
    await target.stopRelease("old", { afterMs: 600 });
    const release = (await target.state()).releases.find((r) => r.id === "old")!;
    expect(Date.parse(release.retireAt!)).toBeGreaterThanOrEqual(before + 500);
    expect(release.healthy).toBe(1);
    await waitFor("the release to retire", async () => (await target.state()).releases.length === 0);
  });

  it("calls off a scheduled stop when the release takes traffic again (rollback)", async () => {
    const dir = await stateDir();
    const { target } = await prepareEnvironment(dir, "rollback");
    await target.startRelease(sampleRelease("old"));
    await waitHealthy(target, "old", 1);
    await target.stopRelease("old", { afterMs: 400 });
    await target.setWeights({ old: 100 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const release = (await target.state()).releases.find((r) => r.id === "old")!;
    expect(release).toMatchObject({ healthy: 1, weight: 100 });
    expect(release.retireAt).toBeUndefined();
  });

  it("stops gracefully: drains every environment and leaves no process behind", async () => {
    const dir = await stateDir();
    const { target: a } = await prepareEnvironment(dir, "a");
    const { target: b } = await prepareEnvironment(dir, "b");
    await a.startRelease(sampleRelease("one", { instances: 2 }));
    await b.startRelease(sampleRelease("two", { instances: 1 }));
    await waitHealthy(a, "one", 2);
    const state = await waitHealthy(b, "two", 1);
    expect(state.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const leaders = [...(await a.state()).releases, ...state.releases].flatMap((r) =>
      r.instances.map((i) => i.pid!),
    );
    const processes = leaders.flatMap(groupPids);
    expect(processes.length).toBeGreaterThanOrEqual(leaders.length * 2);
    const agentPid = (await readAgentInfo(agentPaths(dir)))!.pid;

    const result = await stopAgent({ stateDir: dir });
    expect(result).toMatchObject({ stopped: true, pid: agentPid });
    expect(processes.filter(isPidAlive)).toEqual([]);
    expect(isPidAlive(agentPid)).toBe(false);
    expect(await readAgentInfo(agentPaths(dir))).toBeUndefined();
    expect(await stopAgent({ stateDir: dir })).toEqual({
      stopped: false,
      message: `no agent runs for ${dir}`,
    });
  });
});
