import type { Commands, Language, PackageManager, ServiceKind } from "../config/schema.js";

/** A service the tests need, and the evidence it was found from. */
export interface DetectedService {
  kind: ServiceKind;
  /** Where it was found, e.g. `package.json dependency "pg"` or `docker-compose.yml service "db"`. */
  source: string;
}

export interface DetectedWorkspaces {
  tool: "npm" | "pnpm" | "yarn" | "bun" | "cargo" | "go" | "maven" | "gradle" | "uv";
  /** Member globs or paths as declared. */
  members: string[];
}

/** What shipgate learned about a repository by reading its files (it runs nothing). */
export interface Detection {
  /** Absolute path of the directory that was read. */
  root: string;
  /** Suggested service name (from package.json name, pyproject, go.mod, Cargo.toml, or the folder). */
  name: string;
  language: Language | null;
  packageManager: PackageManager | null;
  /** Runtime version, e.g. "20" for Node, "3.12" for Python, "1.22" for Go, "21" for Java. */
  languageVersion: string | null;
  /** File that pins the runtime version, e.g. ".nvmrc", ".python-version", "go.mod". */
  versionFile: string | null;
  /** The lockfile that makes installs reproducible, when there is one. */
  lockfile: string | null;
  /** Commands for the CI jobs; a key is present only when the repository supports it. */
  commands: Commands;
  /** Start command for one instance, when known. */
  start: string | null;
  /** Test runner, e.g. "jest", "vitest", "mocha", "node", "pytest", "go", "cargo", "junit". */
  testRunner: string | null;
  /** Coverage report path that the test command writes, when known. */
  coverageReport: string | null;
  /** Path of the Dockerfile relative to root, when there is one. */
  dockerfile: string | null;
  services: DetectedService[];
  workspaces: DetectedWorkspaces | null;
  /** Things a person should know: ambiguities, fallbacks taken, files that could not be read. */
  notes: string[];
}
