import type { Language, PackageManager, ServiceKind } from "../config/schema.js";
import { isRelativePath } from "../config/workflow-values.js";
import type { CoverageFormat } from "./model.js";
import type { ServiceAddress } from "./service-values.js";

/** Reproducible install commands: every one installs exactly what the lockfile pins. */
export const INSTALL_COMMANDS: Readonly<Record<PackageManager, string | null>> = {
  npm: "npm ci",
  pnpm: "pnpm install --frozen-lockfile",
  // Understood by yarn classic and, as an alias of --immutable, by yarn berry.
  yarn: "yarn install --frozen-lockfile",
  bun: "bun install --frozen-lockfile",
  pip: "pip install -r requirements.txt",
  poetry: "poetry install --no-interaction",
  uv: "uv sync --frozen",
  go: "go mod download",
  cargo: "cargo fetch --locked",
  maven: null,
  gradle: null,
};

export const DEFAULT_PACKAGE_MANAGER: Readonly<Record<Language, PackageManager>> = {
  node: "npm",
  python: "pip",
  go: "go",
  rust: "cargo",
  java: "maven",
};

/**
 * The coverage report a test command writes, read from the command itself: a gate on a file
 * the command never writes would fail every run, so an unknown report means no gate (and
 * `plan` says so) rather than a guess. A path the shell would still expand (`$(…)`, quotes)
 * or an absolute one is not a known report either.
 */
export function coverageReportOf(language: Language, testCommand: string | undefined): string | null {
  const report = reportNamedIn(language, testCommand);
  return report !== null && isRelativePath(report) ? report : null;
}

function reportNamedIn(language: Language, testCommand: string | undefined): string | null {
  if (!testCommand) return null;
  switch (language) {
    case "node":
      if (!/--coverage\b/.test(testCommand)) return null;
      return /json-summary/.test(testCommand) ? "coverage/coverage-summary.json" : "coverage/lcov.info";
    case "python": {
      const xml = /--cov-report[= ]xml(?::(\S+))?/.exec(testCommand);
      return xml ? (xml[1] ?? "coverage.xml") : null;
    }
    case "go":
      return /-coverprofile[= ](\S+)/.exec(testCommand)?.[1] ?? null;
    case "java":
      return /jacoco/.test(testCommand) ? "target/site/jacoco/jacoco.xml" : null;
    case "rust":
      return null;
  }
}

export function coverageFormat(report: string): CoverageFormat | null {
  if (report.endsWith("coverage-summary.json")) return "istanbul-summary";
  if (report.endsWith(".info") || report.endsWith(".lcov")) return "lcov";
  if (/jacoco[^/]*\.xml$/.test(report)) return "jacoco";
  if (report.endsWith(".xml")) return "cobertura";
  if (report.endsWith(".out") || report.endsWith(".cov")) return "go";
  return null;
}

/**
 * CI service containers: image, port, health check, the variables tests read when shipgate.yml
 * names none (`appEnv`), and the address `{service.field}` test variables resolve to (`address`).
 */
export const SERVICE_CONTAINERS: Readonly<
  Record<
    ServiceKind,
    {
      image: string;
      port: number;
      env: Record<string, string>;
      health: string;
      appEnv: Record<string, string>;
      address: ServiceAddress;
    }
  >
> = {
  postgres: {
    image: "postgres:16-alpine",
    port: 5432,
    env: { POSTGRES_USER: "test", POSTGRES_PASSWORD: "test", POSTGRES_DB: "test" },
    health: "pg_isready -U test -d test",
    appEnv: { DATABASE_URL: "postgresql://test:test@localhost:5432/test" },
    address: { host: "localhost", port: 5432, user: "test", password: "test", database: "test" },
  },
  redis: {
    image: "redis:7-alpine",
    port: 6379,
    env: {},
    health: "redis-cli ping",
    appEnv: { REDIS_URL: "redis://localhost:6379" },
    address: { host: "localhost", port: 6379, user: "", password: "", database: "0" },
  },
  mysql: {
    image: "mysql:8.4",
    port: 3306,
    env: { MYSQL_ROOT_PASSWORD: "test", MYSQL_DATABASE: "test", MYSQL_USER: "test", MYSQL_PASSWORD: "test" },
    health: "mysqladmin ping -h 127.0.0.1 -ptest",
    appEnv: { MYSQL_URL: "mysql://test:test@localhost:3306/test" },
    address: { host: "localhost", port: 3306, user: "test", password: "test", database: "test" },
  },
  mongodb: {
    image: "mongo:7",
    port: 27017,
    env: {},
    health: "mongosh --quiet --eval 'db.adminCommand({ ping: 1 })'",
    appEnv: { MONGO_URL: "mongodb://localhost:27017/test" },
    address: { host: "localhost", port: 27017, user: "", password: "", database: "test" },
  },
};
