import type { Language } from "../config/schema.js";
import type { Detection } from "./types.js";

/** A declared dependency, kept with the file it came from so services can cite their evidence. */
export interface Dependency {
  name: string;
  /** Manifest path relative to the root, e.g. `package.json` or `crates/api/Cargo.toml`. */
  file: string;
  /** Cargo features switched on for it; they decide which database sqlx or diesel talks to. */
  features?: string[];
}

/** Fields an ecosystem reader fills exactly as the final Detection carries them. */
type SharedFields =
  | "packageManager"
  | "languageVersion"
  | "versionFile"
  | "lockfile"
  | "commands"
  | "start"
  | "testRunner"
  | "coverageReport"
  | "workspaces";

/** What one ecosystem's reader found; index.ts picks one and merges it into a Detection. */
export type EcosystemDetection = Pick<Detection, SharedFields> & {
  language: Language;
  /** The root file that shows the ecosystem is present, e.g. `package.json`. */
  manifest: string;
  /** Name as declared in the manifest, not yet normalized. */
  name: string | null;
  dependencies: Dependency[];
  /** Notes that only matter when this ecosystem is the one chosen. */
  notes: string[];
};

export type EcosystemDefaults = Omit<EcosystemDetection, "language" | "manifest">;

/** Every field empty, so each reader only spells out what it found. */
export function emptyEcosystem(): EcosystemDefaults {
  return {
    name: null,
    packageManager: null,
    languageVersion: null,
    versionFile: null,
    lockfile: null,
    commands: {},
    start: null,
    testRunner: null,
    coverageReport: null,
    workspaces: null,
    dependencies: [],
    notes: [],
  };
}

/** `^3.12`, `>=3.11,<4` or `1.22.3` → the leading `major.minor`; `>=20` → `20` when `majorOnly`. */
export function leadingVersion(options: { range: string; majorOnly?: boolean }): string | null {
  const m = /(\d+)(\.\d+)?/.exec(options.range);
  if (!m) return null;
  return options.majorOnly || !m[2] ? m[1]! : `${m[1]}${m[2]}`;
}
