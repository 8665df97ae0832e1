import type { Detection } from "../../src/detect/types.js";

/** A Detection as detectProject would return it, built by hand so the tests control every field. */
export function detection(overrides: Partial<Detection> = {}): Detection {
  return {
    root: "/repo",
    name: "orders-api",
    language: "node",
    packageManager: "npm",
    languageVersion: "20",
    versionFile: ".nvmrc",
    lockfile: "package-lock.json",
    commands: {
      install: "npm ci",
      lint: "npm run lint",
      typecheck: "npm run typecheck",
      test: "npm test -- --coverage",
      build: "npm run build",
    },
    start: "node dist/server.js",
    testRunner: "vitest",
    coverageReport: "coverage/lcov.info",
    dockerfile: "Dockerfile",
    services: [{ kind: "postgres", source: 'package.json dependency "pg"' }],
    workspaces: null,
    notes: [],
    ...overrides,
  };
}

export const DETECTIONS: Record<string, Detection> = {
  node: detection(),
  python: detection({
    name: "billing-service",
    language: "python",
    packageManager: "uv",
    languageVersion: "3.10",
    versionFile: null,
    lockfile: "uv.lock",
    commands: { install: "uv sync --frozen", test: "uv run pytest --cov --cov-report=xml" },
    start: "uv run uvicorn app.main:app --port $PORT",
    testRunner: "pytest",
    coverageReport: "coverage.xml",
    dockerfile: null,
    services: [
      { kind: "postgres", source: 'pyproject.toml dependency "asyncpg"' },
      { kind: "redis", source: 'pyproject.toml dependency "redis"' },
    ],
  }),
  go: detection({
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
    },
    start: null,
    testRunner: "go",
    coverageReport: "coverage.out",
    services: [],
  }),
  nothing: detection({
    name: "empty",
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
    notes: ["No Node, Python, Go, Rust or Java project found at the root; set app.language by hand."],
  }),
};
