import type { Commands, Language, PackageManager } from "../config/schema.js";
import type { CommandKind } from "./command-kinds.js";
import type { ProjectFiles } from "./files.js";
import type { DetectedWorkspaces } from "./types.js";

/** A declared dependency, kept with the file it came from so services can cite their evidence. */
export interface Dependency {
  name: string;
  /** Manifest path relative to the root, e.g. `package.json` or `crates/api/Cargo.toml`. */
  file: string;
  /** Cargo features switched on for it; they decide which database sqlx or diesel talks to. */
  features?: string[];
}

/** What a reader may look at besides the app's own folder. */
export interface ReaderContext {
  /** The folders above the app up to the repository root, nearest first: lockfiles and version files of a workspace live there. */
  ancestors: ProjectFiles[];
}

/** What one ecosystem's reader found in one folder; index.ts picks an app and merges it into a Detection. */
export interface EcosystemDetection {
  language: Language;
  /** The file that shows the ecosystem is present, e.g. `package.json`. */
  manifest: string;
  /** Name as declared in the manifest, not yet normalized. */
  name: string | null;
  packageManager: PackageManager | null;
  /** The package manager's version the project pins (packageManager field), e.g. `9.11.0`. */
  packageManagerVersion: string | null;
  /** Yarn 2 or later: installs with --immutable and comes through corepack. */
  yarnBerry: boolean;
  languageVersion: string | null;
  /** A version file inside the app folder that CI can read the version from. */
  versionFile: string | null;
  /** Where the version was read, for the comment in shipgate.yml. */
  versionSource: string | null;
  /** The lockfile, relative to the app folder (`../../pnpm-lock.yaml` in a workspace member). */
  lockfile: string | null;
  commands: Commands;
  /** Where each command was read (a script, a tool's configuration); null for a convention. */
  commandSources: Partial<Record<CommandKind, string | null>>;
  start: { command: string; source: string } | null;
  testRunner: string | null;
  coverageReport: string | null;
  workspaces: DetectedWorkspaces | null;
  dependencies: Dependency[];
  /** package.json scripts, to read what a CI command like `pnpm test:e2e` runs. */
  scripts: Record<string, string>;
  /** Depends on a server framework, or has a start command: it serves requests. */
  serves: boolean;
  /** Built with front-end tooling and no server: static files. */
  frontend: boolean;
  /** Notes that only matter when this ecosystem is the one chosen. */
  notes: string[];
}

export type EcosystemDefaults = Omit<EcosystemDetection, "language" | "manifest">;

/** Every field empty, so each reader only spells out what it found. */
export function emptyEcosystem(): EcosystemDefaults {
  return {
    name: null,
    packageManager: null,
    packageManagerVersion: null,
    yarnBerry: false,
    languageVersion: null,
    versionFile: null,
    versionSource: null,
    lockfile: null,
    commands: {},
    commandSources: {},
    start: null,
    testRunner: null,
    coverageReport: null,
    workspaces: null,
    dependencies: [],
    scripts: {},
    serves: false,
    frontend: false,
    notes: [],
  };
}

/** `^3.12`, `>=3.11,<4` or `1.22.3` → the leading `major.minor`; `>=20` → `20` when `majorOnly`. */
export function leadingVersion(options: { range: string; majorOnly?: boolean }): string | null {
  const m = /(\d+)(\.\d+)?/.exec(options.range);
  if (!m) return null;
  return options.majorOnly || !m[2] ? m[1]! : `${m[1]}${m[2]}`;
}

/** A tool's version in asdf/mise `.tool-versions`, e.g. `nodejs 20.11.0`. */
export async function toolVersionsEntry(files: ProjectFiles, tool: string): Promise<string | null> {
  const text = await files.text(".tool-versions");
  const m = text ? new RegExp(`^\\s*${tool}\\s+(\\S+)`, "m").exec(text) : null;
  return m?.[1] ?? null;
}
