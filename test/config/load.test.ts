import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/load.js";
import { type Diagnostic, ShipgateError } from "../../src/errors.js";
import { badInput } from "../helpers/refused.js";
import { tempDir } from "../helpers/tmp.js";
import { MINIMAL } from "./minimal-config.js";

const FILE = "shipgate.yml";

/** The diagnostics parseConfig throws for `text`; fails the test when it does not throw. */
function diagnosticsOf(text: string): Diagnostic[] {
  try {
    parseConfig({ text, file: FILE });
  } catch (error) {
    return badInput(error);
  }
  throw new Error("expected the config to be rejected");
}

function onlyDiagnostic(text: string): Diagnostic {
  const diagnostics = diagnosticsOf(text);
  expect(diagnostics).toHaveLength(1);
  return diagnostics[0]!;
}

const at = (line: number, column: number) => ({ file: FILE, line, column });

const FULL = `# yaml-language-server: $schema=https://example.com/shipgate.schema.json
version: 1
app:
  name: orders-api
  path: services/orders
  language: node
  packageManager: pnpm
  versionFile: .nvmrc
  commands:
    install: pnpm install --frozen-lockfile
    lint: pnpm lint
    typecheck: pnpm typecheck
    test: pnpm test -- --coverage
    build: pnpm build
  start: node dist/server.js
  healthPath: /health
  readyPath: /ready
  services: [postgres, redis]
artifact:
  type: container
  dockerfile: services/orders/Dockerfile
  context: services/orders
  registry: ecr
ci:
  branches: [main, release]
  coverage:
    minimum: 85
  security:
    dependencyAudit: { failOn: high, warnOn: moderate }
    imageScan: { severity: [CRITICAL], ignoreUnfixed: false }
    secretScanning: true
  timeoutMinutes: 30
environments:
  staging:
    target:
      type: ecs
      cluster: orders-staging
      service: orders-api
      taskDefinition: orders-api-staging
      containerName: orders-api
    url: https://staging.example.com
    branch: main
    strategy: rolling
    verify:
      smoke: .shipgate/smoke.yml
  production:
    target:
      type: kubernetes
      cluster: prod
      namespace: orders
      deployment: orders-api
      container: orders-api
    url: https://orders.example.com
    promoteFrom: staging
    strategy:
      canary:
        steps: [10, 50, 100]
        stepSeconds: 300
    approval:
      required: true
      approvers: [ops-team]
      expiresAfter: 24h
    analysis: { maxErrorRate: 0.02, maxLatencyRatio: 2 }
    rollback: { automatic: true, keepReleases: 3 }
notifications:
  slack:
    webhookSecret: SLACK_WEBHOOK_URL
aws:
  region: eu-west-1
  accountId: "123456789012"
  roleArn: arn:aws:iam::123456789012:role/orders-github-deploy
`;

describe("parseConfig: valid files", () => {
  test("a full config keeps every value", () => {
    const config = parseConfig({ text: FULL, file: FILE });
    expect(config.app).toMatchObject({
      name: "orders-api",
      path: "services/orders",
      packageManager: "pnpm",
      services: ["postgres", "redis"],
    });
    expect(config.artifact.registry).toBe("ecr");
    expect(config.ci.security.imageScan).toEqual({ severity: ["CRITICAL"], ignoreUnfixed: false });
    expect(config.environments.staging?.target).toMatchObject({ type: "ecs", cluster: "orders-staging" });
    expect(config.environments.production?.strategy).toEqual({
      canary: { steps: [10, 50, 100], stepSeconds: 300 },
    });
    expect(config.environments.production?.approval).toEqual({
      required: true,
      approvers: ["ops-team"],
      expiresAfter: "24h",
      identity: "signature",
      allowedSigners: "allowed_signers",
    });
    expect(config.aws?.region).toBe("eu-west-1");
  });

  test("defaults are filled in", () => {
    const config = parseConfig({ text: MINIMAL, file: FILE });
    expect(config.version).toBe(1);
    expect(config.app).toMatchObject({ path: ".", commands: {}, healthPath: "/health", services: [] });
    expect(config.artifact).toEqual({
      type: "container",
      dockerfile: "Dockerfile",
      context: ".",
      registry: "ecr",
    });
    expect(config.ci.branches).toEqual(["main"]);
    expect(config.ci.coverage.minimum).toBe(80);
    expect(config.ci.security.dependencyAudit).toEqual({ failOn: "critical", warnOn: "high" });
    expect(config.ci.timeoutMinutes).toBe(20);
    const staging = config.environments.staging!;
    expect(staging.target).toEqual({
      type: "local",
      port: 8080,
      instances: 2,
      runner: "self-hosted",
      releaseHeader: false,
    });
    expect(staging.strategy).toBe("rolling");
    expect(staging.verify).toEqual({ timeoutSeconds: 300 });
    expect(staging.approval).toEqual({
      required: false,
      approvers: [],
      identity: "signature",
      allowedSigners: "allowed_signers",
    });
    expect(staging.rollback).toEqual({ automatic: true, keepReleases: 5, keepPrevious: "5m" });
    expect(config.notifications).toEqual({});
  });
});

describe("parseConfig: YAML errors", () => {
  test("a tab used for indentation", () => {
    const d = onlyDiagnostic("app:\n\tname: x\n");
    expect(d).toEqual({
      code: "config/yaml",
      message: "invalid YAML: tabs are not allowed as indentation",
      location: at(2, 1),
      hint: "indent with spaces; YAML does not allow tabs",
    });
  });

  test("an unclosed flow sequence", () => {
    const d = onlyDiagnostic("app:\n  services: [postgres, redis\nenvironments: {}\n");
    expect(d.code).toBe("config/yaml");
    expect(d.location).toEqual(at(3, 1));
    expect(d.hint).toContain("[ or {");
  });

  test("a duplicate key points at the second one", () => {
    const d = onlyDiagnostic(MINIMAL.replace("  language: node\n", "  language: node\n  name: again\n"));
    expect(d).toEqual({
      code: "config/yaml",
      message: 'duplicate key "name": a mapping may set each key once',
      location: at(4, 3),
      hint: 'remove one of the "name" keys or merge them',
    });
  });
});

describe("parseConfig: unknown keys", () => {
  test("a misspelt key gets a did-you-mean at the key's position", () => {
    const d = onlyDiagnostic(MINIMAL.replace("  language: node\n", "  language: node\n  comands: {}\n"));
    expect(d).toEqual({
      code: "config/unknown-key",
      message: 'unknown key "comands" in app',
      location: at(4, 3),
      hint: 'did you mean "commands"?',
    });
  });

  test("a key that differs only in case", () => {
    const d = onlyDiagnostic(MINIMAL.replace("  language: node\n", "  language: node\n  HealthPath: /hc\n"));
    expect(d.hint).toBe('did you mean "healthPath"?');
  });

  test("a key with no close match lists the allowed keys", () => {
    const d = onlyDiagnostic(`${MINIMAL}aws:\n  profile: prod\n`);
    expect(d).toEqual({
      code: "config/unknown-key",
      message: 'unknown key "profile" in aws',
      location: at(10, 3),
      hint: "allowed keys: region, accountId, roleArn",
    });
  });

  test("keys inside a target are checked against that target type", () => {
    const text = MINIMAL.replace(
      "      type: local\n      port: 8080\n",
      "      type: kubernetes\n      deployment: api\n      container: api\n      namespce: web\n",
    );
    const d = onlyDiagnostic(text);
    expect(d.message).toBe('unknown key "namespce" in environments.staging.target');
    expect(d.location).toEqual(at(10, 7));
    expect(d.hint).toBe('did you mean "namespace"?');
  });

  test("a Kubernetes API retry budget under a second is refused where it is written", () => {
    const text = MINIMAL.replace(
      "      type: local\n      port: 8080\n",
      "      type: kubernetes\n      deployment: api\n      container: api\n      apiRetrySeconds: 0\n",
    );
    const d = onlyDiagnostic(text);
    expect(d.message).toContain("environments.staging.target.apiRetrySeconds");
    expect(d.location).toEqual(at(10, 24));
  });

  test("keys inside the canary form of a strategy", () => {
    const text = `${MINIMAL}    strategy:\n      canary:\n        step: [10, 100]\n`;
    const d = onlyDiagnostic(text);
    expect(d.message).toBe('unknown key "step" in environments.staging.strategy.canary');
    expect(d.location).toEqual(at(11, 9));
    expect(d.hint).toBe('did you mean "steps"?');
  });

  test("a canary step that may hold for less than its least time", () => {
    const text = `${MINIMAL}    strategy:\n      canary:\n        stepSeconds: 60\n        maxStepSeconds: 30\n`;
    const d = onlyDiagnostic(text);
    expect(d.message).toContain("maxStepSeconds must be at least stepSeconds");
    expect(d.location).toEqual(at(12, 25));
  });

  test("an unknown top-level key", () => {
    const d = onlyDiagnostic(`${MINIMAL}enviroments: {}\n`);
    expect(d.message).toBe('unknown key "enviroments" at the top level');
    expect(d.location).toEqual(at(9, 1));
    expect(d.hint).toBe('did you mean "environments"?');
  });
});

describe("parseConfig: invalid values", () => {
  test("a value outside an enum", () => {
    const d = onlyDiagnostic(MINIMAL.replace("language: node", "language: nodejs"));
    expect(d).toEqual({
      code: "config/invalid",
      message: 'invalid value "nodejs" for app.language: expected one of node, python, go, rust or java',
      location: at(3, 13),
      hint: 'did you mean "node"?',
    });
  });

  test("a value of the wrong type", () => {
    const d = onlyDiagnostic(MINIMAL.replace("port: 8080", 'port: "8080"'));
    expect(d).toEqual({
      code: "config/invalid",
      message:
        'environments.staging.target.port must be a whole number from 1 to 65535, not the string "8080"',
      location: at(8, 13),
      hint: "set port to a whole number from 1 to 65535",
    });
  });

  test("a version number YAML reads as a float is to be quoted", () => {
    const d = onlyDiagnostic(
      MINIMAL.replace("  language: node\n", "  language: python\n  languageVersion: 3.10\n"),
    );
    expect(d.message).toBe("app.languageVersion must be a string, not the number 3.1");
    expect(d.location).toEqual(at(4, 20));
    expect(d.hint).toBe('quote it so YAML keeps it as text: languageVersion: "3.10"');
  });

  test("a number out of range", () => {
    const d = onlyDiagnostic(`${MINIMAL}ci:\n  coverage:\n    minimum: 120\n`);
    expect(d).toEqual({
      code: "config/invalid",
      message: "ci.coverage.minimum must be at most 100, got 120",
      location: at(11, 14),
      hint: "set minimum to a number from 0 to 100",
    });
  });

  test("a string that fails the schema's pattern explains the format", () => {
    const d = onlyDiagnostic(MINIMAL.replace("name: orders-api", "name: Orders_API"));
    expect(d.message).toBe(
      'invalid value "Orders_API" for app.name: expected lower-case letters, digits and dashes',
    );
    expect(d.location).toEqual(at(2, 9));
  });

  test("a strategy that is none of the allowed forms", () => {
    const d = onlyDiagnostic(`${MINIMAL}    strategy: bluegreen\n`);
    expect(d.message).toBe(
      'invalid value "bluegreen" for environments.staging.strategy: expected rolling, blue-green or a mapping with canary',
    );
    expect(d.location).toEqual(at(9, 15));
    expect(d.hint).toBe('did you mean "blue-green"?');
  });

  test("an empty value points at its key", () => {
    const d = onlyDiagnostic("app:\n  name: api\n  language: go\nenvironments:\n  staging:\n    target:\n");
    expect(d.message).toBe(
      "environments.staging.target must be a mapping with type: ecs, kubernetes or local, not an empty value",
    );
    expect(d.location).toEqual(at(6, 5));
  });

  test("a missing required key is reported at the parent mapping", () => {
    const d = onlyDiagnostic(MINIMAL.replace("  language: node\n", ""));
    expect(d).toEqual({
      code: "config/invalid",
      message: 'missing required key "language" in app',
      location: at(2, 3),
      hint: "add language: (one of node, python, go, rust or java)",
    });
  });

  test("missing keys of a target are named for that target type", () => {
    const text = MINIMAL.replace(
      "      type: local\n      port: 8080\n",
      "      type: ecs\n      cluster: main\n",
    );
    const messages = diagnosticsOf(text).map((d) => [d.message, d.location?.line, d.location?.column]);
    expect(messages).toEqual([
      ['missing required key "service" in environments.staging.target', 7, 7],
      ['missing required key "taskDefinition" in environments.staging.target', 7, 7],
      ['missing required key "containerName" in environments.staging.target', 7, 7],
    ]);
  });

  test("an environment name that is not lower-case", () => {
    const d = onlyDiagnostic(MINIMAL.replace("  staging:", "  Staging:"));
    expect(d.location).toEqual(at(5, 3));
    expect(d.hint).toBe('rename it to "staging"');
  });
});

describe("parseConfig: targets", () => {
  test("an unknown target type lists the valid ones with a did-you-mean", () => {
    const d = onlyDiagnostic(MINIMAL.replace("type: local", "type: ecz"));
    expect(d).toEqual({
      code: "config/unknown-target",
      message:
        'unknown target type "ecz" in environments.staging.target; expected one of ecs, kubernetes or local',
      location: at(7, 13),
      hint: 'did you mean "ecs"?',
    });
  });

  test("an unknown target type with no close match", () => {
    const d = onlyDiagnostic(MINIMAL.replace("type: local", "type: lambda"));
    expect(d.code).toBe("config/unknown-target");
    expect(d.hint).toBe("use one of: ecs, kubernetes, local");
  });

  test("a target without a type", () => {
    const d = onlyDiagnostic(MINIMAL.replace("      type: local\n", ""));
    expect(d).toEqual({
      code: "config/invalid",
      message: 'missing required key "type" in environments.staging.target',
      location: at(7, 7),
      hint: "add type: with one of ecs, kubernetes, local",
    });
  });
});

describe("parseConfig: rules across keys", () => {
  const twoEnvironments = (production: string) =>
    `${MINIMAL}  production:\n    target: { type: local, port: 8081 }\n${production}`;

  test("promoteFrom must name an environment", () => {
    const d = onlyDiagnostic(twoEnvironments("    promoteFrom: stagign\n"));
    expect(d).toEqual({
      code: "config/invalid",
      message: 'environments.production.promoteFrom names "stagign", which is not an environment',
      location: at(11, 18),
      hint: 'did you mean "staging"?',
    });
  });

  test("promoteFrom must not form a cycle", () => {
    const text = twoEnvironments("    promoteFrom: staging\n").replace(
      "      port: 8080\n",
      "      port: 8080\n    promoteFrom: production\n",
    );
    const d = onlyDiagnostic(text);
    expect(d.message).toBe(
      "promoteFrom forms a cycle (staging → production → staging), so none of these environments can be deployed first",
    );
    expect(d.location).toEqual(at(9, 18));
    expect(d.hint).toContain("branch: main");
  });

  test("an environment may not promote from itself", () => {
    const d = onlyDiagnostic(`${MINIMAL}    promoteFrom: staging\n`);
    expect(d.message).toContain("(staging → staging)");
  });

  test("at least one environment", () => {
    const d = onlyDiagnostic("app: { name: api, language: go }\nenvironments: {}\n");
    expect(d).toEqual({
      code: "config/invalid",
      message: "no environments are defined",
      location: at(2, 15),
      hint: "add at least one environment under environments, e.g. staging with a target",
    });
  });

  test("two local environments cannot share a port", () => {
    const d = onlyDiagnostic(twoEnvironments("").replace("port: 8081", "port: 8080"));
    expect(d).toEqual({
      code: "config/invalid",
      message: "port 8080 of environments.production.target is already used by environments.staging",
      location: at(10, 34),
      hint: "give each local environment its own port, e.g. port: 8081",
    });
  });
});

describe("parseConfig: several problems", () => {
  test("are reported together, sorted by position", () => {
    const text = `app:
  name: api
  language: nodez
  comands: {}
environments:
  staging:
    target: { type: ecz }
  production:
    promoteFrom: nowhere
    target: { type: local, port: 0 }
`;
    const found = diagnosticsOf(text).map((d) => `${d.location?.line}:${d.location?.column} ${d.code}`);
    expect(found).toEqual([
      "3:13 config/invalid",
      "4:3 config/unknown-key",
      "7:21 config/unknown-target",
      "9:18 config/invalid",
      "10:34 config/invalid",
    ]);
  });

  test("an empty file", () => {
    const d = onlyDiagnostic("# nothing yet\n");
    expect(d.message).toBe("the configuration file is empty");
    expect(d.location).toEqual(at(1, 1));
  });

  test("a file that is not a mapping", () => {
    expect(onlyDiagnostic("- app\n").code).toBe("config/invalid");
  });
});

describe("loadConfig", () => {
  test("reads, validates and returns the source", async () => {
    const dir = await tempDir();
    const path = join(dir, "shipgate.yml");
    await writeFile(path, MINIMAL);
    const loaded = await loadConfig({ path });
    expect(loaded.path).toBe(path);
    expect(loaded.source).toBe(MINIMAL);
    expect(loaded.config.app.name).toBe("orders-api");
  });

  test("labels diagnostics with the file's path", async () => {
    const dir = await tempDir();
    const path = join(dir, "shipgate.yml");
    await writeFile(path, MINIMAL.replace("language: node", "language: nodez"));
    const error = await loadConfig({ path }).catch((e: unknown) => e);
    expect((error as ShipgateError).diagnostics[0]?.location).toEqual({ file: path, line: 3, column: 13 });
  });

  test("a missing file says how to create one", async () => {
    const dir = await tempDir();
    const error = await loadConfig({ path: join(dir, "shipgate.yml") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShipgateError);
    expect((error as ShipgateError).exitCode).toBe(2);
    expect((error as ShipgateError).diagnostics[0]).toMatchObject({
      code: "config/not-found",
      hint: 'run "shipgate init" to create one',
    });
  });
});
