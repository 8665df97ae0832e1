import { describe, expect, test } from "vitest";
import { SCHEMA_URL } from "../../src/config/json-schema.js";
import { parseConfig } from "../../src/config/load.js";
import { TARGET_TYPES } from "../../src/config/schema.js";
import { ShipgateError } from "../../src/errors.js";
import { renderConfig, SCHEMA_COMMENT } from "../../src/init/index.js";
import { DETECTIONS, detection } from "./detections.js";

const CASES = TARGET_TYPES.flatMap((target) =>
  Object.entries(DETECTIONS).map(([name, d]) => ({ target, name, detection: d })),
);

describe("renderConfig", () => {
  test.each(CASES)("$target / $name: parses and validates", ({ target, detection: d }) => {
    const text = renderConfig({ detection: d, target });
    const config = parseConfig({ text, file: "shipgate.yml" });

    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    expect(text.endsWith("\n")).toBe(true);
    expect(config.version).toBe(1);
    expect(config.app.name).toBe(d.name);
    expect(config.app.language).toBe(d.language ?? "node");
    expect(config.app.commands).toEqual(d.commands);
    expect(config.app.services).toEqual(d.services.map((s) => s.kind));
    expect(config.app.healthPath).toBe(d.healthPath);
    // No readiness path is invented: a deploy would fail checking one the app does not serve.
    expect(config.app.readyPath).toBeUndefined();
    expect(config.ci).toMatchObject({ branches: ["main"], coverage: { minimum: 80 } });
    expect(config.ci.security).toMatchObject({
      dependencyAudit: { failOn: "critical", warnOn: "high" },
      imageScan: { severity: ["CRITICAL", "HIGH"] },
      secretScanning: true,
    });

    const { staging, production } = config.environments;
    expect(Object.keys(config.environments)).toEqual(["staging", "production"]);
    expect(staging).toMatchObject({ branch: "main", strategy: "rolling" });
    expect(staging?.target.type).toBe(target);
    expect(production).toMatchObject({
      promoteFrom: "staging",
      approval: { required: true, approvers: [] },
      strategy: { canary: { steps: [10, 50, 100], stepSeconds: 300 } },
      analysis: { maxErrorRate: 0.01, maxLatencyRatio: 1.5 },
      rollback: { automatic: true, keepReleases: 5 },
    });
    // Slack is offered, commented out: a webhook secret that does not exist would fail deploys.
    expect(config.notifications).toEqual({});
    expect(text).toContain("#     webhookSecret: SLACK_WEBHOOK_URL");
  });

  test.each(Object.entries(DETECTIONS))("every section is introduced by a comment (%s)", (_, d) => {
    for (const target of TARGET_TYPES) {
      const lines = renderConfig({ detection: d, target }).split("\n");
      lines.forEach((line, i) => {
        if (/^[a-z]+:/.test(line) && !line.startsWith("version:")) {
          expect(lines[i - 1], `comment above "${line}"`).toMatch(/^#/);
        }
      });
    }
  });

  test("ECS: placeholder names from the app name, ECR and an AWS role", () => {
    const config = parseConfig({ text: renderConfig({ detection: detection(), target: "ecs" }), file: "x" });
    expect(config.environments.staging?.target).toEqual({
      type: "ecs",
      cluster: "orders-api-staging",
      service: "orders-api",
      taskDefinition: "orders-api-staging",
      containerName: "orders-api",
    });
    expect(config.environments.production?.target).toMatchObject({ taskDefinition: "orders-api-production" });
    expect(config.artifact).toMatchObject({ type: "container", dockerfile: "Dockerfile", registry: "ecr" });
    expect(config.aws).toEqual({
      region: "us-east-1",
      roleArn: "arn:aws:iam::123456789012:role/orders-api-github-deploy",
    });
    expect(config.environments.staging?.url).toBe("https://staging.example.com");
  });

  test("Kubernetes: namespace per environment, GHCR, EKS through AWS", () => {
    const config = parseConfig({
      text: renderConfig({ detection: detection(), target: "kubernetes" }),
      file: "x",
    });
    expect(config.environments.staging?.target).toMatchObject({
      type: "kubernetes",
      provider: "eks",
      namespace: "orders-api-staging",
      deployment: "orders-api",
      container: "orders-api",
    });
    expect(config.artifact.registry).toBe("ghcr");
    expect(config.aws?.roleArn).toContain("orders-api-github-deploy");
  });

  test("local: a tarball, two instances on 8080 and 8081, no AWS", () => {
    const config = parseConfig({
      text: renderConfig({ detection: detection(), target: "local" }),
      file: "x",
    });
    expect(config.artifact.type).toBe("tarball");
    expect(config.environments.staging?.target).toEqual({
      type: "local",
      port: 8080,
      instances: 2,
      runner: "self-hosted",
      releaseHeader: false,
    });
    expect(config.environments.production?.target).toMatchObject({ port: 8081, instances: 2 });
    expect(config.environments.staging?.url).toBe("http://localhost:8080");
    expect(config.aws).toBeUndefined();
  });

  test("a module of the root JVM build is app.path, with the root as app.buildRoot", () => {
    const d = {
      ...detection(),
      language: "java" as const,
      packageManager: "maven" as const,
      buildModule: "orders-service",
    };
    const text = renderConfig({ detection: d, target: "local" });
    const config = parseConfig({ text, file: "x" });
    expect(config.app).toMatchObject({ path: "orders-service", buildRoot: "." });
    expect(text).toContain("A module of the root maven build");
  });

  test("a version YAML would read as a number stays a string", () => {
    const config = parseConfig({
      text: renderConfig({ detection: DETECTIONS.python!, target: "ecs" }),
      file: "x",
    });
    expect(config.app.languageVersion).toBe("3.10");
    expect(config.app.start).toBe("uv run uvicorn app.main:app --port $PORT");
  });

  test("a version file is kept beside the version read from it", () => {
    const config = parseConfig({ text: renderConfig({ detection: detection(), target: "ecs" }), file: "x" });
    expect(config.app.versionFile).toBe(".nvmrc");
    expect(config.app.languageVersion).toBe("20");
  });

  test("the detected coverage report and Dockerfile are kept", () => {
    const d = detection({ coverageReport: "out/lcov.info", dockerfile: "docker/Dockerfile" });
    const config = parseConfig({ text: renderConfig({ detection: d, target: "ecs" }), file: "x" });
    expect(config.ci.coverage.report).toBe("out/lcov.info");
    expect(config.artifact.dockerfile).toBe("docker/Dockerfile");
  });

  test("nothing detected: the file says what to fill in", () => {
    const text = renderConfig({ detection: DETECTIONS.nothing!, target: "ecs" });
    expect(text).toContain("# Replace: nothing recognisable was found; set node, python, go, rust or java.");
    expect(text).toContain("# Replace: no commands were found.");
    expect(text).toContain("# Replace: no Dockerfile was found");
  });

  test("a smoke file is referenced only when there is one", () => {
    const without = parseConfig({ text: renderConfig({ detection: detection(), target: "ecs" }), file: "x" });
    expect(without.environments.staging?.verify.smoke).toBeUndefined();
    const text = renderConfig({ detection: detection(), target: "ecs", smokeFile: ".shipgate/smoke.yml" });
    const config = parseConfig({ text, file: "x" });
    expect(config.environments.staging?.verify.smoke).toBe(".shipgate/smoke.yml");
  });

  test("answers replace the detected name and the placeholder URLs", () => {
    const text = renderConfig({
      detection: detection(),
      target: "ecs",
      answers: {
        name: "checkout",
        stagingUrl: "https://staging.shop.test",
        productionUrl: "https://shop.test",
      },
    });
    const config = parseConfig({ text, file: "x" });
    expect(config.app.name).toBe("checkout");
    expect(config.environments.staging?.url).toBe("https://staging.shop.test");
    expect(config.environments.production?.url).toBe("https://shop.test");
    expect(config.environments.staging?.target).toMatchObject({ cluster: "checkout-staging" });
    expect(config.aws?.roleArn).toBe("arn:aws:iam::123456789012:role/checkout-github-deploy");
  });

  test("invalid answers are input errors", () => {
    const render = (answers: object) => () =>
      renderConfig({ detection: detection(), target: "ecs", answers });
    for (const answers of [{ name: "Orders API" }, { stagingUrl: "staging.example.com" }]) {
      expect(render(answers)).toThrow(ShipgateError);
      try {
        render(answers)();
      } catch (error) {
        expect((error as ShipgateError).code).toBe("init/invalid-answer");
        expect((error as ShipgateError).exitCode).toBe(2);
      }
    }
  });

  test("the schema comment is exported for reuse", () => {
    expect(SCHEMA_COMMENT).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
  });
});
