import { describe, expect, test } from "vitest";
import type { AgentState } from "../../../../src/deliver/targets/local/agent-state.js";
import { scrapeTargets } from "../../../../src/deliver/targets/local/scrape-targets.js";

const release = (id: string, ports: number[]) => ({
  spec: {
    id,
    artifactId: `art-${id}`,
    source: "/tmp/x",
    start: "node server.js",
    workdir: ".",
    instances: ports.length,
    healthPath: "/health",
  },
  desired: ports.length,
  weight: 50,
  instances: ports.map((port, i) => ({
    id: `${id}-${i + 1}`,
    index: i + 1,
    pgid: 100 + port,
    startTime: 1,
    port,
  })),
});

describe("scrapeTargets: the local target's instances for Prometheus's file_sd_configs", () => {
  test("one target group per running instance, labelled with its environment, release and instance", () => {
    const state: AgentState = {
      version: 1,
      environments: {
        staging: { port: 8081, releaseHeader: false, releases: [release("staging-3-aaa", [41001])] },
        production: {
          port: 8080,
          releaseHeader: false,
          releases: [release("production-2-bbb", [42001, 42002]), release("production-3-ccc", [42003])],
        },
      },
    };
    expect(scrapeTargets(state)).toEqual([
      {
        targets: ["127.0.0.1:42001"],
        labels: {
          shipgate_env: "production",
          shipgate_release: "production-2-bbb",
          shipgate_instance: "production-2-bbb-1",
        },
      },
      {
        targets: ["127.0.0.1:42002"],
        labels: {
          shipgate_env: "production",
          shipgate_release: "production-2-bbb",
          shipgate_instance: "production-2-bbb-2",
        },
      },
      {
        targets: ["127.0.0.1:42003"],
        labels: {
          shipgate_env: "production",
          shipgate_release: "production-3-ccc",
          shipgate_instance: "production-3-ccc-1",
        },
      },
      {
        targets: ["127.0.0.1:41001"],
        labels: {
          shipgate_env: "staging",
          shipgate_release: "staging-3-aaa",
          shipgate_instance: "staging-3-aaa-1",
        },
      },
    ]);
  });

  test("no instances, no targets", () => {
    expect(scrapeTargets({ version: 1, environments: {} })).toEqual([]);
  });
});
