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

/** A deployable found in the repository, for init to list and choose from. */
export interface DetectedApp {
  path: string;
  /** What `--app` takes to choose it: its folder, or for a module built from the root, the module's. */
  select: string;
  language: Language;
  name: string;
  dockerfile: string | null;
  /** Why it looks deployable, and why it was ranked where it was. */
  reasons: string[];
}

/** The values of a Detection that shipgate.yml carries with a comment saying where they came from. */
export type DetectedField =
  | "branch"
  | "app"
  | "name"
  | "languageVersion"
  | "install"
  | "lint"
  | "typecheck"
  | "test"
  | "build"
  | "start"
  | "healthPath"
  | "readyPath"
  | "port"
  | "services"
  | "testEnv"
  | "setup"
  | "submodules"
  | "dockerfile";

/** What shipgate learned about a repository by reading its files (it runs nothing). */
export interface Detection {
  /** Absolute path of the repository root that was read. */
  root: string;
  /** The app's folder relative to the root; "." for the root. */
  appPath: string;
  /**
   * The module folder of an app built from the root of a multi-module Maven or Gradle build:
   * shipgate.yml names it as app.path, with the root (appPath) as app.buildRoot.
   */
  buildModule?: string;
  /** Suggested service name (from the manifest, the app's folder or the repository). */
  name: string;
  language: Language | null;
  packageManager: PackageManager | null;
  /** Runtime version, e.g. "20" for Node, "3.12" for Python, "1.22" for Go, "21" for Java. */
  languageVersion: string | null;
  /** File inside the app folder that pins the runtime version, e.g. ".nvmrc", ".python-version", "go.mod". */
  versionFile: string | null;
  /** The lockfile that makes installs reproducible, relative to the app folder. */
  lockfile: string | null;
  /** Commands for the CI jobs; a key is present only when the repository supports it. */
  commands: Commands;
  /** Start command for one instance, when known. */
  start: string | null;
  /** Test runner, e.g. "jest", "vitest", "mocha", "node", "pytest", "go", "cargo", "junit". */
  testRunner: string | null;
  /** Coverage report path that the test command writes, when known. */
  coverageReport: string | null;
  /** Path of the Dockerfile relative to the repository root, when there is one. */
  dockerfile: string | null;
  /** Build context of that Dockerfile, relative to the repository root. */
  dockerContext: string | null;
  /** The Dockerfile stage the image is built from, when the project's build names one. */
  dockerTarget: string | null;
  services: DetectedService[];
  workspaces: DetectedWorkspaces | null;
  /** The branch pull requests target and staging deploys from. */
  defaultBranch: string;
  /** Liveness path; a guess marked in `unsure` when nothing names one. */
  healthPath: string;
  readyPath: string | null;
  port: number | null;
  /** Variables the test job sets, values with `{service.field}` placeholders. */
  testEnv: Record<string, string>;
  /** Commands CI runs before install: corepack, system packages, tools. */
  setup: string[];
  /** The repository uses git submodules that the build needs. */
  submodules: boolean;
  /** Every deployable found, the chosen one first. */
  apps: DetectedApp[];
  /** Why the chosen app was chosen, when there was a choice. */
  appReason: string | null;
  /** Files already in .github/workflows. */
  existingWorkflows: string[];
  /** Where each value came from, for the comments in shipgate.yml. */
  sources: Partial<Record<DetectedField, string>>;
  /** Values a person must check, and why: marked "Replace" in shipgate.yml and listed by init. */
  unsure: Partial<Record<DetectedField, string>>;
  /** Things a person should know: ambiguities, fallbacks taken, files that could not be read. */
  notes: string[];
}
