import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { buildPipeline } from "../../src/pipeline/build.js";
import { githubRenderer } from "../../src/render/github/index.js";
import { validateWorkflow } from "../support/validate-workflow.js";
import { sampleConfig } from "./configs.js";

type Step = { run?: string; env?: Record<string, string> };
type Job = { services?: Record<string, { image: string }>; env?: Record<string, string>; steps: Step[] };

/** What init writes for an app whose tests read their own variable names, MongoDB among the services. */
const config = sampleConfig({
  target: "ecs",
  app: {
    services: ["postgres", "redis", "mysql", "mongodb"],
    testEnv: {
      POSTGRES_HOST: "{postgres.host}",
      POSTGRES_PORT: "{postgres.port}",
      MONGO_URL: "{mongodb.url}",
      REDIS_URL: "{redis.url}",
      LOG_LEVEL: "warn",
    },
    setup: ["corepack enable", "sudo apt-get update && sudo apt-get install -y libpq-dev"],
  },
});

describe("test services, their variables and set-up in the generated CI", () => {
  const files = githubRenderer.render(buildPipeline({ config, shipgateVersion: "0.1.0" }));
  const ci = files.find((f) => f.path === ".github/workflows/ci.yml")!;
  const test_ = (parse(ci.body) as { jobs: Record<string, Job> }).jobs.test!;

  test("the workflow passes actionlint and GitHub's parser", async () => {
    expect(await validateWorkflow(ci.body, ci.path)).toEqual([]);
  });

  test("every service runs as a container, MongoDB included", () => {
    expect(Object.keys(test_.services ?? {}).sort()).toEqual(["mongodb", "mysql", "postgres", "redis"]);
    expect(test_.services?.mongodb?.image).toMatch(/^mongo:/);
  });

  test("the test environment's placeholders become the containers' addresses; plain values stay", () => {
    const env = { ...test_.env, ...Object.assign({}, ...test_.steps.map((s) => s.env ?? {})) };
    expect(env.POSTGRES_HOST).toBe("localhost");
    expect(env.POSTGRES_PORT).toMatch(/^\d+$/);
    expect(env.MONGO_URL).toMatch(/^mongodb:\/\/(?:[^@]+@)?localhost:\d+\//);
    expect(env.REDIS_URL).toMatch(/^redis:\/\/(?:[^@]+@)?localhost:\d+\//);
    expect(env.LOG_LEVEL).toBe("warn");
    expect(JSON.stringify(env)).not.toMatch(/\{\w+\.\w+\}/);
  });

  test("set-up commands run before install", () => {
    const runs = test_.steps.map((s) => s.run ?? "");
    const setup = runs.findIndex((r) => r.includes("corepack enable"));
    const install = runs.findIndex((r) => r === "npm ci" || r.includes("npm ci"));
    expect(setup).toBeGreaterThanOrEqual(0);
    expect(setup).toBeLessThan(install);
  });
});
