import type { Language, ShipgateConfigInput } from "../../src/config/schema.js";

export type TargetVariant = "ecs" | "eks" | "kubernetes" | "local";

function target(variant: TargetVariant, env: string, port: number) {
  switch (variant) {
    case "ecs":
      return {
        type: "ecs" as const,
        cluster: `orders-${env}`,
        service: "orders-api",
        taskDefinition: `orders-api-${env}`,
        containerName: "orders-api",
        region: "eu-west-1",
      };
    case "eks":
    case "kubernetes":
      return {
        type: "kubernetes" as const,
        provider: variant === "eks" ? ("eks" as const) : ("generic" as const),
        cluster: `orders-${env}`,
        namespace: `orders-${env}`,
        deployment: "orders-api",
        container: "orders-api",
        context: `orders-${env}-context`,
        service: "orders-api-stable",
        traffic:
          env === "staging"
            ? { type: "istio" as const, virtualService: "orders-api" }
            : { type: "gateway-api" as const, httpRoute: "orders-api" },
        serviceUrl: "http://{service}.{namespace}.svc.cluster.local:{port}",
        region: "eu-west-1",
      };
    case "local":
      return { type: "local" as const, port, instances: 2, runner: `orders-${env}` };
  }
}

const APPS: Record<Language, Pick<ShipgateConfigInput["app"], "packageManager" | "commands">> = {
  node: {
    packageManager: "npm",
    commands: {
      install: "npm ci",
      lint: "npm run lint",
      typecheck: "npm run typecheck",
      test: "npm test -- --coverage",
      build: "npm run build",
    },
  },
  python: {
    packageManager: "uv",
    commands: {
      install: "uv sync --frozen",
      lint: "uv run ruff check .",
      typecheck: "uv run mypy .",
      test: "uv run pytest --cov --cov-report=xml",
      build: "uv build",
    },
  },
  go: {
    packageManager: "go",
    commands: {
      install: "go mod download",
      lint: "go vet ./...",
      typecheck: "go build ./...",
      test: "go test -coverprofile=coverage.out ./...",
      build: "go build ./...",
    },
  },
  rust: {
    packageManager: "cargo",
    commands: {
      install: "cargo fetch --locked",
      lint: "cargo clippy -- -D warnings",
      typecheck: "cargo check",
      test: "cargo test",
      build: "cargo build --release --locked",
    },
  },
  java: {
    packageManager: "gradle",
    commands: {
      install: "./gradlew dependencies",
      lint: "./gradlew spotlessCheck",
      typecheck: "./gradlew compileJava",
      test: "./gradlew test jacocoTestReport",
      build: "./gradlew assemble",
    },
  },
};

/** A Prometheus provider with every key set; the two kinds of credentials go to two environments. */
function prometheus(auth: { bearerTokenEnv: string } | { usernameEnv: string; passwordEnv: string }) {
  return {
    type: "prometheus" as const,
    url: "http://prometheus.monitoring:9090",
    selector: 'app="orders-api", shipgate_release="{{ release }}"',
    queries: {
      requests: "http_requests_total{ {{ selector }} }",
      errors: 'http_requests_total{ {{ selector }}, status=~"5.." }',
      latency: "http_request_duration_seconds_bucket{ {{ selector }} }",
      latencySum: "http_request_duration_seconds_sum{ {{ selector }} }",
    },
    statusLabel: "status",
    timeout: "5s",
    interval: "1s",
    auth,
    headers: { "X-Scope-OrgID": "orders" },
  };
}

const REPORTS: Record<Language, string> = {
  node: "coverage/lcov.info",
  python: "coverage.xml",
  go: "coverage.out",
  rust: "coverage/lcov.info",
  java: "build/reports/jacoco/test/jacocoTestReport.xml",
};

/**
 * A shipgate.yml that sets every string key the schema has, with three environments that
 * between them use every strategy and both triggers (push, promote), for one target variant.
 */
export function fullConfigInput(options: {
  target: TargetVariant;
  registry: "ecr" | "ghcr";
  language: Language;
}): ShipgateConfigInput {
  const { target: variant, registry, language } = options;
  const environment = (name: string, port: number) => ({
    target: target(variant, name, port),
    url: `https://${name}.example.com`,
    branch: "main",
    verify: { healthPath: "/health", readyPath: "/ready", smoke: ".shipgate/smoke.yml", timeoutSeconds: 120 },
    approval: {
      required: name === "production",
      approvers: ["ops-team"],
      expiresAfter: "24h",
      allowedSigners: ".github/allowed_signers",
    },
    env: { LOG_LEVEL: "info" },
    rollback: { automatic: true, keepReleases: 3, keepPrevious: "10m" },
    roleArn: `arn:aws:iam::123456789012:role/orders-${name}`,
  });
  return {
    $schema: "https://example.com/shipgate.schema.json",
    app: {
      name: "orders-api",
      path: "services/orders",
      buildRoot: "services",
      language,
      ...APPS[language],
      languageVersion: "22",
      versionFile: ".tool-version",
      start: "node server.js",
      healthPath: "/health",
      readyPath: "/ready",
      port: 8080,
      services: ["postgres"],
      testEnv: { DATABASE_HOST: "{postgres.host}", LOG_LEVEL: "debug" },
      setup: ["corepack enable"],
      env: { NODE_ENV: "production" },
    },
    workflows: { prefix: "orders-" },
    // Both sources, across the languages: a registry release and a vendored tarball.
    cli:
      language === "node" || language === "python"
        ? { npm: "0.1.0" }
        : { tarball: ".github/shipgate/shipgate-0.1.0.tgz" },
    artifact: {
      type: variant === "local" ? "tarball" : "container",
      dockerfile: "services/orders/Dockerfile",
      context: "services/orders",
      target: "runtime",
      registry,
      repository: "team/orders-api",
    },
    ci: {
      branches: ["main"],
      pathsIgnore: ["docs/**"],
      coverage: { minimum: 80, report: REPORTS[language] },
    },
    environments: {
      staging: { ...environment("staging", 8080), strategy: "rolling" },
      canary: {
        ...environment("canary", 8081),
        promoteFrom: "staging",
        strategy: { canary: { steps: [10, 100], stepSeconds: 60 } },
        analysis: { provider: prometheus({ bearerTokenEnv: "PROMETHEUS_TOKEN" }) },
      },
      production: {
        ...environment("production", 8082),
        promoteFrom: "canary",
        strategy: "blue-green",
        analysis: {
          provider: prometheus({ usernameEnv: "PROMETHEUS_USER", passwordEnv: "PROMETHEUS_PASSWORD" }),
        },
      },
    },
    notifications: { slack: { webhookSecret: "SLACK_WEBHOOK_URL" } },
    aws: {
      region: "us-east-1",
      accountId: "123456789012",
      roleArn: "arn:aws:iam::123456789012:role/orders-deploy",
    },
    audit: { rules: { "missing-timeout": "warning" }, baseline: ".shipgate/audit-baseline.json" },
    gates: {
      coverage: { report: "coverage/lcov.info", min: 80 },
      vulns: {
        reports: ["trivy.json"],
        ignore: [
          { id: "CVE-2024-1234", package: "left-pad", reason: "not reachable", expires: "2099-01-01" },
        ],
      },
      tests: { reports: ["junit.xml"] },
    },
    dora: { environment: "production", hotfixWindow: "24h" },
  };
}
