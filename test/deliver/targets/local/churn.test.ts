import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { agentPaths } from "../../../../src/deliver/targets/local/paths.js";
import type { InstanceState, Target } from "../../../../src/deliver/targets/types.js";
import {
  groupPids,
  isPidAlive,
  sampleRelease,
  startLoad,
  useSharedAgent,
  waitFor,
  waitHealthy,
} from "./helpers.js";

/**
 * Instance churn under continuous keep-alive load from the test: every request must get a
 * 2xx while instances crash, are scaled down and up, and a release is stopped.
 */
const agent = useSharedAgent();
/** startLoad's default concurrency: requests in flight at most. */
const LOAD_LOOPS = 6;

async function environment(env: string): Promise<{ target: Target; url: string }> {
  const { target, url } = await agent.environment(env);
  return { target, url: `${url}/api/orders` };
}

async function instance(target: Target, id: string): Promise<InstanceState> {
  const state = await target.state();
  return state.releases.flatMap((r) => r.instances).find((i) => i.id === id)!;
}

describe("the local target under instance churn", () => {
  it("restarts a crashed instance with back-off; only requests it was answering fail", async () => {
    const { target, url } = await environment("crash");
    await target.startRelease(sampleRelease("r", { instances: 2 }));
    await target.setWeights({ r: 100 });
    await waitHealthy(target, "r", 2);
    const load = startLoad(url, LOAD_LOOPS);

    const restartTimes: number[] = [];
    for (let crash = 1; crash <= 2; crash++) {
      const victim = await instance(target, "r-1");
      const pids = groupPids(victim.pid!);
      const killedAt = Date.now();
      process.kill(victim.pid!, "SIGKILL");
      const restarted = await waitFor("a new process", async () => {
        const now = await instance(target, "r-1");
        return now.pid !== undefined && now.pid !== victim.pid ? now : undefined;
      });
      restartTimes.push(Date.now() - killedAt);
      expect(restarted.restarts).toBe(crash);
      // The shell's children went with it.
      await waitFor("the old processes to be gone", () => pids.every((p) => !isPidAlive(p)) || undefined);
      await waitHealthy(target, "r", 2);
    }
    const result = await load.stop();

    // A request the instance had already read is not sent again (it may be what killed it):
    // those in flight on it when it died get 502 — at most one per load loop and crash.
    expect(
      result.failures.every((f) => f === "status 502"),
      result.failures.join(", "),
    ).toBe(true);
    expect(result.failures.length).toBeLessThanOrEqual(2 * LOAD_LOOPS);
    expect(result.ok).toBe(result.sent - result.failures.length);
    expect(result.sent).toBeGreaterThan(100);
    // 250 ms, then 500 ms: the back-off doubles while the instance keeps crashing.
    expect(restartTimes[0]).toBeGreaterThanOrEqual(240);
    expect(restartTimes[1]).toBeGreaterThanOrEqual(490);
    const log = await readFile(agentPaths(agent.stateDir).logFile, "utf8");
    expect(log).toMatch(
      /"instance exited, restarting","instance":"r-1","reason":"exited on SIGKILL","restartInMs":250/,
    );
    expect(log).toMatch(/"instance":"r-1","reason":"exited on SIGKILL","restartInMs":500/);
  });

  it("scales down and up without losing a request", async () => {
    const { target, url } = await environment("scale");
    await target.startRelease(sampleRelease("r", { instances: 3 }));
    await target.setWeights({ r: 100 });
    const before = await waitHealthy(target, "r", 3);
    const load = startLoad(url);

    await target.scaleRelease("r", 1);
    const down = await target.state();
    expect(down.releases[0]!.instances.map((i) => i.id)).toEqual(["r-1"]);
    const removed = before.releases[0]!.instances.slice(1).flatMap((i) => groupPids(i.pid!));
    expect(removed.filter(isPidAlive)).toEqual([]);

    await target.scaleRelease("r", 3);
    const up = await waitHealthy(target, "r", 3);
    expect(up.releases[0]!.instances.map((i) => i.id)).toEqual(["r-1", "r-4", "r-5"]);
    await target.scaleRelease("r", 2);
    const result = await load.stop();

    // A request the instance had already read is not sent again (it may be what killed it):
    // those in flight on it when it died get 502 — at most one per load loop and crash.
    expect(
      result.failures.every((f) => f === "status 502"),
      result.failures.join(", "),
    ).toBe(true);
    expect(result.failures.length).toBeLessThanOrEqual(2 * LOAD_LOOPS);
    expect(result.ok).toBe(result.sent - result.failures.length);
    expect(result.sent).toBeGreaterThan(100);
  });

  it("switches to a new release and stops the old one without losing a request", async () => {
    const { target, url } = await environment("switch");
    await target.startRelease(sampleRelease("blue", { instances: 2 }));
    await target.setWeights({ blue: 100 });
    await waitHealthy(target, "blue", 2);
    const load = startLoad(url);

    await target.startRelease(sampleRelease("green", { instances: 2 }));
    await waitHealthy(target, "green", 2);
    await target.setWeights({ blue: 90, green: 10 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await target.setWeights({ green: 100 });
    const blue = (await target.state()).releases.find((r) => r.id === "blue")!;
    const bluePids = blue.instances.flatMap((i) => groupPids(i.pid!));
    await target.stopRelease("blue");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await load.stop();

    expect((await target.state()).releases.map((r) => r.id)).toEqual(["green"]);
    expect(bluePids.filter(isPidAlive)).toEqual([]);
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(result.sent);
    expect(result.byRelease.get("blue")).toBeGreaterThan(0);
    expect(result.byRelease.get("green")).toBeGreaterThan(0);
  });
});
