import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { type Detection, detectProject } from "../../src/detect/index.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/repos/${name}`, import.meta.url));

/**
 * The fields that say what the repository is built with, so each test spells out only what its
 * fixture has. Where values came from, health, branch and the choice of app have their own
 * tests (health.test.ts, branch.test.ts, apps.test.ts, commands.test.ts).
 */
type Core = Pick<Detection, (typeof CORE)[number]>;
const CORE = [
  "root",
  "name",
  "language",
  "packageManager",
  "languageVersion",
  "versionFile",
  "lockfile",
  "commands",
  "start",
  "testRunner",
  "coverageReport",
  "dockerfile",
  "services",
  "workspaces",
  "notes",
] as const;

const nothing = (name: string): Core => ({
  root: fixture(name),
  name,
  language: null,
  packageManager: null,
  languageVersion: null,
  versionFile: null,
  lockfile: null,
  commands: {},
  start: null,
  testRunner: null,
  coverageReport: null,
  dockerfile: null,
  services: [],
  workspaces: null,
  notes: [],
});

const detect = async (name: string): Promise<Core> => {
  const d = await detectProject({ root: fixture(name) });
  return Object.fromEntries(CORE.map((key) => [key, d[key]])) as Core;
};

describe("detectProject on fixture repositories", () => {
  test("node-npm-jest-postgres", async () => {
    expect(await detect("node-npm-jest-postgres")).toEqual({
      ...nothing("node-npm-jest-postgres"),
      name: "orders-api",
      language: "node",
      packageManager: "npm",
      languageVersion: "20.11.1",
      versionFile: ".nvmrc",
      lockfile: "package-lock.json",
      commands: {
        install: "npm ci",
        lint: "npm run lint",
        typecheck: "npm run typecheck",
        test: "npm test -- --coverage",
        build: "npm run build",
      },
      start: "npm start",
      testRunner: "jest",
      coverageReport: "coverage/lcov.info",
      dockerfile: "Dockerfile",
      services: [{ kind: "postgres", source: 'package.json dependency "pg"' }],
    });
  });

  test("node-pnpm-monorepo", async () => {
    expect(await detect("node-pnpm-monorepo")).toEqual({
      ...nothing("node-pnpm-monorepo"),
      name: "acme-platform",
      language: "node",
      packageManager: "pnpm",
      languageVersion: "22",
      versionFile: ".node-version",
      lockfile: "pnpm-lock.yaml",
      commands: {
        install: "pnpm install --frozen-lockfile",
        lint: "pnpm run lint",
        typecheck: "pnpm run check-types",
        test: "pnpm test --coverage",
        build: "pnpm run build",
      },
      testRunner: "vitest",
      coverageReport: "coverage/coverage-summary.json",
      services: [{ kind: "redis", source: 'docker-compose.yml service "cache"' }],
      workspaces: { tool: "pnpm", members: ["packages/*", "apps/*"] },
    });
  });

  test("node-yarn-berry", async () => {
    expect(await detect("node-yarn-berry")).toEqual({
      ...nothing("node-yarn-berry"),
      name: "storefront",
      language: "node",
      packageManager: "yarn",
      lockfile: "yarn.lock",
      commands: {
        install: "yarn install --immutable",
        lint: "yarn lint",
        typecheck: "yarn type-check",
        // No reporter is configured and vitest's defaults write neither lcov nor a summary.
        test: "yarn test --coverage --coverage.reporter=json-summary --coverage.reporter=text",
      },
      testRunner: "vitest",
      coverageReport: "coverage/coverage-summary.json",
      services: [{ kind: "mysql", source: 'package.json dependency "mysql2"' }],
      workspaces: { tool: "yarn", members: ["packages/*"] },
      notes: ["vitest measures coverage with @vitest/coverage-v8 (or -istanbul); add it to devDependencies."],
    });
  });

  test("node-bun", async () => {
    expect(await detect("node-bun")).toEqual({
      ...nothing("node-bun"),
      name: "bun-api",
      language: "node",
      packageManager: "bun",
      lockfile: "bun.lock",
      commands: { install: "bun install --frozen-lockfile", test: "bun run test" },
      start: "bun run start",
      testRunner: "bun",
      services: [{ kind: "redis", source: 'package.json dependency "ioredis"' }],
      notes: [
        "The test script writes no coverage report shipgate recognises; set ci.coverage.report if it does.",
      ],
    });
  });

  test("python-uv", async () => {
    expect(await detect("python-uv")).toEqual({
      ...nothing("python-uv"),
      name: "billing-service",
      language: "python",
      packageManager: "uv",
      languageVersion: "3.12",
      versionFile: ".python-version",
      lockfile: "uv.lock",
      commands: {
        install: "uv sync --frozen",
        lint: "uv run ruff check .",
        typecheck: "uv run mypy .",
        test: "uv run pytest --cov --cov-report=xml",
      },
      testRunner: "pytest",
      coverageReport: "coverage.xml",
      services: [{ kind: "postgres", source: 'pyproject.toml dependency "asyncpg"' }],
    });
  });

  test("python-poetry", async () => {
    expect(await detect("python-poetry")).toEqual({
      ...nothing("python-poetry"),
      name: "ledger",
      language: "python",
      packageManager: "poetry",
      languageVersion: "3.11",
      lockfile: "poetry.lock",
      commands: {
        install: "poetry install --no-interaction",
        test: "poetry run pytest --cov --cov-report=xml",
      },
      testRunner: "pytest",
      coverageReport: "coverage.xml",
      services: [
        { kind: "postgres", source: 'pyproject.toml dependency "psycopg"' },
        { kind: "redis", source: 'pyproject.toml dependency "redis"' },
      ],
    });
  });

  test("python-pip", async () => {
    expect(await detect("python-pip")).toEqual({
      ...nothing("python-pip"),
      language: "python",
      packageManager: "pip",
      commands: {
        install: "pip install -r requirements.txt -r requirements-dev.txt",
        lint: "ruff check .",
        test: "pytest --cov --cov-report=xml",
      },
      testRunner: "pytest",
      coverageReport: "coverage.xml",
      services: [
        { kind: "postgres", source: 'requirements.txt dependency "psycopg2-binary"' },
        { kind: "redis", source: 'requirements.txt dependency "redis"' },
      ],
    });
  });

  test("go-service", async () => {
    expect(await detect("go-service")).toEqual({
      ...nothing("go-service"),
      name: "payments",
      language: "go",
      packageManager: "go",
      languageVersion: "1.22",
      versionFile: "go.mod",
      lockfile: "go.sum",
      commands: {
        install: "go mod download",
        lint: "go vet ./...",
        test: "go test -race -coverprofile=coverage.out ./...",
        build: "go build ./...",
      },
      // The image's entrypoint: the binary the Dockerfile builds.
      start: "/app",
      testRunner: "go",
      coverageReport: "coverage.out",
      dockerfile: "Dockerfile",
      services: [{ kind: "postgres", source: 'go.mod dependency "github.com/jackc/pgx/v5"' }],
    });
  });

  test("rust-workspace", async () => {
    expect(await detect("rust-workspace")).toEqual({
      ...nothing("rust-workspace"),
      language: "rust",
      packageManager: "cargo",
      languageVersion: "1.82.0",
      versionFile: "rust-toolchain.toml",
      lockfile: "Cargo.lock",
      commands: {
        install: "cargo fetch --locked",
        lint: "cargo clippy --all-targets -- -D warnings",
        test: "cargo test",
        build: "cargo build --release --locked",
      },
      testRunner: "cargo",
      services: [
        { kind: "postgres", source: 'Cargo.toml dependency "sqlx" with feature "postgres"' },
        { kind: "redis", source: 'crates/api/Cargo.toml dependency "redis"' },
      ],
      workspaces: { tool: "cargo", members: ["crates/*"] },
      notes: [
        "cargo test writes no coverage report; set ci.coverage.report if a tool such as cargo-llvm-cov does.",
      ],
    });
  });

  test("java-maven", async () => {
    expect(await detect("java-maven")).toEqual({
      ...nothing("java-maven"),
      name: "inventory-service",
      language: "java",
      packageManager: "maven",
      languageVersion: "21",
      commands: { test: "./mvnw -B verify", build: "./mvnw -B -DskipTests package" },
      testRunner: "junit",
      coverageReport: "target/site/jacoco/jacoco.xml",
      services: [{ kind: "postgres", source: 'pom.xml dependency "org.postgresql:postgresql"' }],
    });
  });

  test("java-gradle", async () => {
    expect(await detect("java-gradle")).toEqual({
      ...nothing("java-gradle"),
      name: "notifier",
      language: "java",
      packageManager: "gradle",
      languageVersion: "17",
      commands: { test: "./gradlew test", build: "./gradlew build -x test" },
      testRunner: "junit",
      services: [{ kind: "redis", source: 'build.gradle.kts dependency "redis.clients:jedis"' }],
      workspaces: { tool: "gradle", members: ["app", "lib/shared"] },
      notes: ["Gradle writes no coverage report by default; set ci.coverage.report if JaCoCo is set up."],
    });
  });

  test("empty", async () => {
    expect(await detect("empty")).toEqual({
      ...nothing("empty"),
      notes: ["No Node, Python, Go, Rust or Java project found at the root; set app.language by hand."],
    });
  });

  test("broken-package-json: still a Node project, with a note naming the file", async () => {
    const detection = await detect("broken-package-json");
    expect(detection).toMatchObject({
      name: "broken-package-json",
      language: "node",
      packageManager: "npm",
      lockfile: "package-lock.json",
      commands: { install: "npm ci" },
      testRunner: null,
      services: [],
    });
    expect(detection.notes).toHaveLength(1);
    expect(detection.notes[0]).toMatch(/^package\.json is not valid JSON \(.+\); it was ignored\.$/);
  });
});
