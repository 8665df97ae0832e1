import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runAgent } from "../../../../src/deliver/targets/local/agent.js";
import { readAgentInfo } from "../../../../src/deliver/targets/local/agent-info.js";
import { ensureAgent, stopAgent } from "../../../../src/deliver/targets/local/index.js";
import { agentPaths } from "../../../../src/deliver/targets/local/paths.js";
import {
  cleanUpAgent,
  get,
  groupPids,
  isPidAlive,
  prepareEnvironment,
  sampleRelease,
  tempStateDir,
  waitFor,
  waitHealthy,
} from "./helpers.js";

/**
 * The agent's identity and survival: one agent per state directory, decided by a lock the
 * kernel keeps; a stuck agent reported, never replaced behind its back; a killed agent's
 * instances adopted by the next one; no secret of the starting command in its environment.
 */

async function agentPid(dir: string): Promise<number> {
  return (await readAgentInfo(agentPaths(dir)))!.pid;
}

async function killAgent(dir: string, signal: NodeJS.Signals = "SIGKILL"): Promise<number> {
  const pid = await agentPid(dir);
  process.kill(pid, signal);
  if (signal === "SIGKILL") await waitFor("the agent to die", () => !isPidAlive(pid) || undefined);
  return pid;
}

describe("the agent's lifecycle", () => {
  it("after kill -9, the next agent adopts what runs: same processes, same weights, serving again", async () => {
    const dir = await tempStateDir();
    try {
      const { target, url } = await prepareEnvironment(dir, "prod");
      await target.startRelease(sampleRelease("stable", { instances: 2 }));
      await target.startRelease(sampleRelease("canary", { instances: 1 }));
      await waitHealthy(target, "stable", 2);
      await waitHealthy(target, "canary", 1);
      await target.setWeights({ stable: 80, canary: 20 });
      // Answered only once on disk: a kill right after the answer cannot lose the weights.
      const saved = JSON.parse(await readFile(agentPaths(dir).stateFile, "utf8")) as {
        environments: Record<string, { releases: Array<{ spec: { id: string }; weight: number }> }>;
      };
      expect(saved.environments.prod!.releases.map((r) => [r.spec.id, r.weight])).toEqual([
        ["stable", 80],
        ["canary", 20],
      ]);
      const before = await target.state();
      const pids = before.releases.flatMap((r) => r.instances.map((i) => i.pid!));

      await killAgent(dir);
      expect(pids.every(isPidAlive)).toBe(true);
      // Nothing serves while no agent runs (refused, or reset while the listener goes away).
      await expect(get(`${url}/`)).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);

      // The next command's agent takes everything over before it answers.
      const after = await target.state();
      expect(after.releases.map((r) => [r.id, r.weight, r.desired])).toEqual([
        ["stable", 80, 2],
        ["canary", 20, 1],
      ]);
      expect(after.releases.flatMap((r) => r.instances.map((i) => i.pid))).toEqual(pids);
      await waitHealthy(target, "stable", 2);
      expect((await get(`${url}/api/orders`)).status).toBe(200);
      expect(await readFile(agentPaths(dir).logFile, "utf8")).toContain('"instance adopted"');

      // An adopted instance that dies is restarted like any other.
      const victim = after.releases[0]!.instances[0]!;
      process.kill(-victim.pid!, "SIGKILL");
      const restarted = await waitFor("a new process", async () => {
        const i = (await target.state()).releases[0]!.instances.find((x) => x.id === victim.id)!;
        return i.pid !== undefined && i.pid !== victim.pid && i.state === "healthy" ? i : undefined;
      });
      expect(restarted.restarts).toBe(1);
    } finally {
      await cleanUpAgent(dir);
    }
  });

  it("a paused agent is reported, not replaced; stop --force kills it and the next one adopts its instances", async () => {
    const dir = await tempStateDir();
    try {
      const { target } = await prepareEnvironment(dir, "prod");
      await target.startRelease(sampleRelease("r", { instances: 1 }));
      const state = await waitHealthy(target, "r", 1);
      const instance = state.releases[0]!.instances[0]!.pid!;
      const paused = await killAgent(dir, "SIGSTOP");

      await expect(ensureAgent({ stateDir: dir })).rejects.toMatchObject({
        code: "local/agent-unresponsive",
      });
      await expect(runAgent({ stateDir: dir })).rejects.toMatchObject({ code: "local/agent-running" });
      expect(isPidAlive(paused)).toBe(true);
      expect(groupPids(instance).length).toBeGreaterThan(0);

      const plain = await stopAgent({ stateDir: dir });
      expect(plain).toMatchObject({ stopped: false, pid: paused });
      expect(plain.message).toMatch(/--force/);
      const forced = await stopAgent({ stateDir: dir, force: true });
      expect(forced).toMatchObject({ stopped: true, pid: paused });
      expect(isPidAlive(instance)).toBe(true);

      const next = await ensureAgent({ stateDir: dir });
      expect(next.started).toBe(true);
      expect((await target.state()).releases[0]!.instances[0]!.pid).toBe(instance);
    } finally {
      await cleanUpAgent(dir);
    }
  });

  it("starts with none of the starting command's credentials or CI variables", async () => {
    const dir = await tempStateDir();
    const secrets = {
      GITHUB_TOKEN: "ghs_secretsecretsecret",
      AWS_SECRET_ACCESS_KEY: "aws-secret-key",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/secret",
      RUNNER_TRACKING_ID: "github_tracking",
    };
    const saved = { ...process.env };
    Object.assign(process.env, secrets);
    try {
      await ensureAgent({ stateDir: dir });
    } finally {
      for (const name of Object.keys(secrets)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
    try {
      const environ = await readFile(`/proc/${await agentPid(dir)}/environ`, "utf8");
      const names = environ.split("\0").map((entry) => entry.split("=")[0]);
      for (const name of Object.keys(secrets)) expect(names).not.toContain(name);
      expect(names).toContain("PATH");
    } finally {
      await cleanUpAgent(dir);
    }
  });
});
