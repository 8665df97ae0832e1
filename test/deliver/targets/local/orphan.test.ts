import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, test } from "vitest";
import { isPidAlive } from "../../../../src/deliver/targets/local/process-group.js";
import { prepareEnvironment, sampleRelease, tempStateDir } from "./helpers.js";

test("an agent whose state directory was deleted drains and stops by itself, instances and all", async () => {
  const stateDir = await tempStateDir();
  const { target } = await prepareEnvironment(stateDir, "orphan");
  await target.startRelease(sampleRelease("r1"));
  let pids: number[] = [];
  for (let i = 0; i < 100 && pids.length === 0; i++) {
    const release = (await target.state()).releases[0];
    pids = (release?.instances ?? []).flatMap((instance) => (instance.pid ? [instance.pid] : []));
    if (pids.length === 0) await sleep(100);
  }
  expect(pids.length, "the release's instances never reported a pid").toBeGreaterThan(0);
  const { agentStatus } = await import("../../../../src/deliver/targets/local/index.js");
  const agentPid = (await agentStatus({ stateDir })).pid!;
  expect(isPidAlive(agentPid)).toBe(true);

  await rm(dirname(stateDir), { recursive: true, force: true });
  for (let i = 0; i < 100 && [agentPid, ...pids].some(isPidAlive); i++) await sleep(100);
  expect(isPidAlive(agentPid)).toBe(false);
  for (const pid of pids) expect(isPidAlive(pid)).toBe(false);
}, 30_000);
