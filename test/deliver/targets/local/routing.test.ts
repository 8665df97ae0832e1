import { Agent } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { get, sampleRelease, useSharedAgent, waitFor, waitHealthy } from "./helpers.js";
import { writeToggleServer } from "./toggle-server.js";

// The agent inherits this credential; its instances must not.
const agent = useSharedAgent({ SHIPGATE_TEST_CREDENTIAL: "agent-only" });
const environment = (env: string) => agent.environment(env);

describe("the local router", () => {
  it("serves a healthy release, without telling clients which release answered", async () => {
    const { target, url } = await environment("serve");
    expect(target).toMatchObject({
      type: "local",
      capabilities: { trafficSplit: true, directAddress: true },
    });
    expect((await get(`${url}/`)).status).toBe(503);
    await target.startRelease(sampleRelease("v1", { instances: 2 }));
    await target.startRelease(sampleRelease("v1", { instances: 2 }));
    const state = await waitHealthy(target, "v1", 2);
    expect(state.releases).toHaveLength(1);
    expect(state.releases[0]!.instances.map((i) => i.id)).toEqual(["v1-1", "v1-2"]);
    await target.setWeights({ v1: 100 });

    const answer = await get(`${url}/api/orders`);
    expect(answer.status).toBe(200);
    expect(answer.release).toBe("v1");
    expect(answer.headers["x-shipgate-release"]).toBeUndefined();
    expect(JSON.parse(answer.body)).toMatchObject({ count: 3 });
    const created = await fetch(`${url}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: "cortado", quantity: 2 }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-app-version")).toBe("v1");
    expect(await created.json()).toMatchObject({ order: { item: "cortado", quantity: 2 } });

    const direct = await target.directUrl("v1");
    expect(direct).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${direct}/health`)).status).toBe(200);
    expect(await target.directUrl("nope")).toBeUndefined();
  });

  it("splits traffic 90/10 between two releases", async () => {
    const { target, url } = await environment("split");
    await target.startRelease(sampleRelease("stable", { instances: 2 }));
    await target.startRelease(sampleRelease("canary"));
    await waitHealthy(target, "stable", 2);
    await waitHealthy(target, "canary", 1);
    await target.setWeights({ stable: 90, canary: 10 });
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const counts: Record<string, number> = {};
    for (let batch = 0; batch < 100; batch++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => get(`${url}/api/orders`, agent)));
      for (const a of answers) counts[a.release!] = (counts[a.release!] ?? 0) + 1;
    }
    agent.destroy();
    expect(counts.stable! + counts.canary!).toBe(1000);
    expect(counts.canary).toBeGreaterThanOrEqual(80);
    expect(counts.canary).toBeLessThanOrEqual(120);
    expect((await target.state()).releases.map((r) => [r.id, r.weight])).toEqual([
      ["stable", 90],
      ["canary", 10],
    ]);
  });

  it("counts requests, status classes and latency per release, as the client saw them", async () => {
    // The failing release answers before its app sets x-app-version: the router names it.
    const { target, url } = await agent.environment("metrics", { releaseHeader: true });
    await target.startRelease(sampleRelease("good"));
    await target.startRelease(sampleRelease("bad", { env: { FAULT_ERROR_RATE: "1" } }));
    await waitHealthy(target, "good", 1);
    await waitHealthy(target, "bad", 1);
    await target.setWeights({ good: 50, bad: 50 });
    // What the client saw, per release and status class: the router's counts must match it.
    const seen: Record<string, Record<string, number>> = { good: {}, bad: {} };
    const send = async (path: string) => {
      const a = await get(`${url}${path}`);
      const statusClass = `${Math.floor(a.status / 100)}xx`;
      seen[a.release!]![statusClass] = (seen[a.release!]![statusClass] ?? 0) + 1;
    };
    for (let i = 0; i < 200; i++) await send("/api/orders");
    for (let i = 0; i < 10; i++) await send("/missing");

    const measured = await target.metrics.measure(["good", "bad", "unknown"]);
    if (!measured.ok) throw new Error(measured.error);
    const { good, bad, unknown } = measured.releases;
    expect(seen).toEqual({ good: { "2xx": 100, "4xx": 5 }, bad: { "5xx": 105 } });
    expect(good).toMatchObject({ requests: 105, errors: 0, statuses: seen.good });
    expect(bad).toMatchObject({ requests: 105, errors: 105, statuses: seen.bad });
    expect(good!.latency.count).toBe(105);
    expect(good!.latency.sumMs).toBeGreaterThan(0);
    expect(unknown).toMatchObject({ requests: 0, errors: 0, statuses: {} });
  });

  it("forwards the client's address, takes an unhealthy instance out of routing and back", async () => {
    const { target, url } = await environment("health");
    const source = await writeToggleServer(join(agent.stateDir, ".."));
    await target.startRelease({
      id: "t",
      artifactId: "toggle",
      source,
      workdir: ".",
      start: "node server.mjs",
      instances: 2,
      healthPath: "/health",
    });
    await target.setWeights({ t: 100 });
    const state = await waitHealthy(target, "t", 2);
    const [sick, well] = state.releases[0]!.instances.map((i) => i.port!);
    const portsServing = async () => {
      const ports = new Set<string>();
      for (let i = 0; i < 20; i++) ports.add((await get(`${url}/`)).headers["x-port"] as string);
      return [...ports].sort();
    };
    expect(await portsServing()).toEqual([String(sick), String(well)].sort());

    const seen = JSON.parse((await get(`${url}/headers`)).body) as Record<string, string>;
    expect(seen).toMatchObject({
      host: url.slice("http://".length),
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-proto": "http",
    });
    const env = JSON.parse((await get(`http://127.0.0.1:${well}/env`)).body) as Record<string, string>;
    expect(env).toMatchObject({ PORT: String(well), HOST: "127.0.0.1", PATH: process.env.PATH });
    expect(env.SHIPGATE_TEST_CREDENTIAL).toBeUndefined();

    await get(`http://127.0.0.1:${sick}/sick`);
    await waitFor("the instance to be unhealthy", async () => {
      const instance = (await target.state()).releases[0]!.instances.find((i) => i.port === sick)!;
      return instance.state === "unhealthy" ? instance : undefined;
    });
    expect(await portsServing()).toEqual([String(well)]);

    await get(`http://127.0.0.1:${sick}/well`);
    await waitHealthy(target, "t", 2);
    expect(await portsServing()).toEqual([String(sick), String(well)].sort());
  });

  it("falls over to another release when the weighted one has no healthy instance", async () => {
    const { target, url } = await environment("fallover");
    await target.startRelease(sampleRelease("blue"));
    await target.startRelease(sampleRelease("green", { env: { FAULT_HEALTH: "fail" } }));
    await waitHealthy(target, "blue", 1);
    await target.setWeights({ green: 100 });
    expect((await get(`${url}/api/orders`)).release).toBe("blue");
  });
});
