import { spawnSync } from "node:child_process";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { buildPipeline } from "../../src/pipeline/build.js";
import { githubRenderer } from "../../src/render/github/index.js";
import { tempDir } from "../helpers/tmp.js";

const HEALTH = "/health?deep=1&verbose=1";

const CONFIG = (target: string) => `app:
  name: orders-api
  language: node
  healthPath: ${HEALTH}
  readyPath: /ready?probe=1&x=$(id)
environments:
  staging:
    url: https://staging.example.com
    verify:
      smoke: .shipgate/smoke.yml
    target:
${target}
aws:
  roleArn: arn:aws:iam::123456789012:role/deploy
`;

const TARGETS = {
  ecs: "      type: ecs\n      cluster: c\n      service: s\n      taskDefinition: t\n      containerName: app",
  kubernetes: "      type: kubernetes\n      cluster: main\n      deployment: orders\n      container: app",
};

interface Step {
  run?: string;
  env?: Record<string, string>;
}

function verifyStep(target: string): Step {
  const config = parseConfig({ text: CONFIG(target), file: "shipgate.yml" });
  const files = githubRenderer.render(buildPipeline({ config, shipgateVersion: "0.1.0" }));
  const deploy = parse(files.find((f) => f.path.endsWith("deploy-staging.yml"))!.body) as {
    jobs: { deploy: { steps: Step[] } };
  };
  return deploy.jobs.deploy.steps.find((s) => s.run?.includes(" verify "))!;
}

/** Runs a step's script the way a GitHub runner does, with `npx` replaced by one that prints its arguments. */
async function runWithFakeNpx(step: Step): Promise<{ status: number | null; args: string[] }> {
  const bin = await tempDir();
  await writeFile(join(bin, "npx"), "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
  await chmod(join(bin, "npx"), 0o755);
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
    env: { ...step.env, PATH: `${bin}:${process.env.PATH}` },
    encoding: "utf8",
  });
  return { status: result.status, args: result.stdout.split("\n").slice(0, -1) };
}

describe("a health path with a query string", () => {
  test.each(Object.entries(TARGETS))("%s: reaches the verify step through env, quoted", async (_, target) => {
    const step = verifyStep(target);
    expect(step.run).not.toContain(HEALTH);
    const [name] = Object.entries(step.env ?? {}).find(([, value]) => value === HEALTH) ?? [];
    expect(name, "the path is a variable of the step").toBeDefined();
    expect(step.run).toContain(`"$${name}"`);
  });

  test("the step runs and shipgate verify receives each path as one argument", async () => {
    const { status, args } = await runWithFakeNpx(verifyStep(TARGETS.ecs));
    expect(status).toBe(0);
    expect(args[args.indexOf("--health-path") + 1]).toBe(HEALTH);
    expect(args[args.indexOf("--ready-path") + 1]).toBe("/ready?probe=1&x=$(id)");
    expect(args[args.indexOf("--smoke") + 1]).toBe(".shipgate/smoke.yml");
    expect(args).toContain("https://staging.example.com");
  });
});
