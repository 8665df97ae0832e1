import {
  type ShipgateConfig,
  type ShipgateConfigInput,
  ShipgateConfigSchema,
} from "../../src/config/schema.js";

type TargetType = "ecs" | "kubernetes" | "local";

function target(type: TargetType, env: string, name: string) {
  if (type === "ecs") {
    return {
      type,
      cluster: `${name}-${env}`,
      service: name,
      taskDefinition: `${name}-${env}`,
      containerName: name,
    };
  }
  if (type === "kubernetes")
    return { type, cluster: "main", namespace: `${name}-${env}`, deployment: name, container: name };
  return { type, port: env === "staging" ? 8080 : 8081 };
}

/** A config like the ones `init` writes, for one language and target, with every feature on. */
export function sampleConfig(options: {
  target: TargetType;
  app?: Partial<ShipgateConfigInput["app"]>;
  registry?: "ecr" | "ghcr";
  slack?: boolean;
  path?: string;
}): ShipgateConfig {
  const name = options.app?.name ?? "orders-api";
  const input: ShipgateConfigInput = {
    app: {
      name,
      language: "node",
      packageManager: "npm",
      versionFile: ".nvmrc",
      commands: {
        install: "npm ci",
        lint: "npm run lint",
        typecheck: "npm run typecheck",
        test: "npm test -- --coverage",
        build: "npm run build",
      },
      services: ["postgres", "redis"],
      readyPath: "/ready",
      path: options.path ?? ".",
      ...options.app,
    },
    artifact: {
      type: options.target === "local" ? "tarball" : "container",
      registry: options.registry ?? (options.target === "ecs" ? "ecr" : "ghcr"),
    },
    environments: {
      staging: {
        target: target(options.target, "staging", name),
        url: "https://staging.example.com",
        verify: { smoke: "smoke.yml" },
      },
      production: {
        target: target(options.target, "production", name),
        url: "https://example.com",
        verify: { smoke: "smoke.yml" },
        promoteFrom: "staging",
        approval: { required: true, approvers: ["ops-team"] },
        strategy: { canary: { steps: [10, 50, 100], stepSeconds: 300 } },
      },
    },
    notifications: options.slack === false ? {} : { slack: { webhookSecret: "SLACK_WEBHOOK_URL" } },
    aws: { region: "us-east-1", roleArn: `arn:aws:iam::123456789012:role/${name}-deploy` },
  };
  return ShipgateConfigSchema.parse(input);
}

export const LANGUAGE_APPS: Array<Partial<ShipgateConfigInput["app"]>> = [
  {},
  {
    language: "node",
    packageManager: "pnpm",
    versionFile: undefined,
    languageVersion: "22",
    services: ["redis"],
  },
  { language: "node", packageManager: "bun", versionFile: undefined, services: [] },
  {
    language: "python",
    packageManager: "uv",
    versionFile: undefined,
    languageVersion: "3.12",
    commands: {
      install: "uv sync --frozen",
      lint: "uv run ruff check .",
      test: "uv run pytest --cov --cov-report=xml",
    },
    services: ["postgres"],
  },
  {
    language: "python",
    packageManager: "poetry",
    versionFile: ".python-version",
    commands: {
      install: "poetry install --no-interaction",
      test: "poetry run pytest --cov --cov-report=xml",
    },
    services: ["mysql"],
  },
  {
    language: "go",
    packageManager: "go",
    versionFile: undefined,
    commands: {
      lint: "go vet ./...",
      test: "go test -race -coverprofile=coverage.out ./...",
      build: "go build ./...",
    },
    services: [],
  },
  {
    language: "rust",
    packageManager: "cargo",
    versionFile: undefined,
    commands: {
      lint: "cargo clippy --all-targets -- -D warnings",
      test: "cargo test",
      build: "cargo build --release --locked",
    },
    services: [],
  },
  {
    language: "java",
    packageManager: "maven",
    versionFile: undefined,
    languageVersion: "21",
    commands: { test: "./mvnw -B verify", build: "./mvnw -B -DskipTests package" },
    services: ["postgres"],
  },
];
