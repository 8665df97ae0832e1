import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { extract } from "tar";
import type { ShipgateConfig } from "../config/schema.js";
import { inputError, ShipgateError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import type { ArtifactRecord, Ledger } from "../ledger/types.js";
import { git, gitText } from "./git.js";

/** How the artifact starts: read from shipgate.yml at build time, so a release runs as it was built. */
export interface ArtifactRuntime {
  /** app.path relative to the repository root. */
  workdir: string;
  start: string;
  healthPath: string;
  readyPath?: string;
}

export interface ArtifactManifest {
  schema: 1;
  name: string;
  commit: string;
  digest: string;
  bytes: number;
  builtAt: string;
  runtime: ArtifactRuntime;
}

export interface BuildResult {
  artifact: ArtifactRecord;
  /** False when this commit's artifact already existed (the build is idempotent). */
  created: boolean;
  /** Tracked files changed since the commit: they are not in the artifact. */
  uncommitted: string[];
}

/**
 * Builds once: a gzipped tarball of the files tracked at HEAD (`git archive`, which is
 * byte-for-byte reproducible for a commit) plus a manifest with the commit, the sha256 digest
 * and how to start it. Working-tree changes are never in it, so what was tested is what ships.
 */
export async function buildArtifact(options: {
  config: ShipgateConfig;
  /** Directory of shipgate.yml. */
  configDir: string;
  stateDir: string;
  ledger: Ledger;
}): Promise<BuildResult> {
  const { config, configDir, stateDir, ledger } = options;
  const start = config.app.start;
  if (!start) {
    throw inputError("build/no-start", "app.start is not set: shipgate cannot run the artifact", {
      hint: "add app.start to shipgate.yml, the command that starts one instance (it receives PORT), e.g. node server.js",
    });
  }
  const top = await gitText(["rev-parse", "--show-toplevel"], { cwd: configDir });
  const commit = await gitText(["rev-parse", "--verify", "HEAD^{commit}"], { cwd: configDir });
  const uncommitted = (await gitText(["status", "--porcelain", "--untracked-files=no"], { cwd: top }))
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(3));
  const id = `${config.app.name}@${commit.slice(0, 12)}`;

  const existing = await ledger.getArtifact(id);
  if (existing && existsSync(existing.location)) return { artifact: existing, created: false, uncommitted };

  const tarball = await git(["archive", "--format=tar.gz", commit], { cwd: top });
  const digest = `sha256:${createHash("sha256").update(tarball).digest("hex")}`;
  const dir = join(stateDir, "artifacts");
  const location = join(dir, `${config.app.name}-${commit.slice(0, 12)}.tar.gz`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${location}.${process.pid}.tmp`;
  await writeFile(temp, tarball, { mode: 0o600 });
  await rename(temp, location);

  const workdir = relative(top, join(configDir, config.app.path)) || ".";
  const manifest: ArtifactManifest = {
    schema: 1,
    name: config.app.name,
    commit,
    digest,
    bytes: tarball.length,
    builtAt: new Date().toISOString(),
    runtime: {
      workdir,
      start,
      healthPath: config.app.healthPath,
      ...(config.app.readyPath && { readyPath: config.app.readyPath }),
    },
  };
  await writeFileAtomic(
    `${location.slice(0, -".tar.gz".length)}.json`,
    `${JSON.stringify(manifest, null, 2)}\n`,
    {
      mode: 0o600,
    },
  );
  const artifact: ArtifactRecord = {
    id,
    digest,
    commit,
    location,
    createdAt: manifest.builtAt,
    manifest: manifest as unknown as Record<string, unknown>,
  };
  await ledger.putArtifact(artifact);
  return { artifact, created: true, uncommitted };
}

/** Finds an artifact by its id, a commit prefix or a digest prefix. */
export async function resolveArtifact(ledger: Ledger, ref: string): Promise<ArtifactRecord> {
  const exact = await ledger.getArtifact(ref);
  if (exact) return exact;
  const matches = (await ledger.listArtifacts()).filter(
    (a) => (ref.length >= 7 && a.commit.startsWith(ref)) || a.digest === ref || a.digest.startsWith(ref),
  );
  if (matches.length === 1) return matches[0]!;
  throw inputError(
    "deploy/unknown-artifact",
    matches.length > 1
      ? `"${ref}" matches ${matches.length} artifacts: ${matches.map((m) => m.id).join(", ")}`
      : `no artifact "${ref}" in the ledger`,
    { hint: 'run "shipgate build" and pass the reference it prints to --artifact' },
  );
}

export function artifactRuntime(artifact: ArtifactRecord): ArtifactRuntime {
  return (artifact.manifest as unknown as ArtifactManifest).runtime;
}

/**
 * Unpacks an artifact for the local target, once: the tarball's digest is checked first, so a
 * file changed on disk since the build never runs. Unpacks to a temporary directory and renames.
 */
export async function unpackArtifact(options: {
  artifact: ArtifactRecord;
  stateDir: string;
}): Promise<string> {
  const { artifact, stateDir } = options;
  const target = join(stateDir, "releases", artifact.id.replace(/[^A-Za-z0-9._-]/g, "_"));
  if (existsSync(join(target, ".shipgate-artifact"))) return target;
  let bytes: Buffer;
  try {
    bytes = await readFile(artifact.location);
  } catch (error) {
    throw inputError("artifact/missing", `artifact ${artifact.id} is gone from ${artifact.location}`, {
      hint: `${(error as Error).message}; build it again with "shipgate build" on commit ${artifact.commit.slice(0, 12)}`,
    });
  }
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (digest !== artifact.digest) {
    throw new ShipgateError(
      {
        code: "artifact/digest-mismatch",
        message: `artifact ${artifact.id} does not match its digest: recorded ${artifact.digest}, on disk ${digest}`,
        hint: "the tarball was changed after the build; build it again and deploy the new reference",
      },
      { exitCode: 1 },
    );
  }
  const temp = `${target}.${process.pid}.tmp`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true, mode: 0o700 });
  const archive = `${temp}.tar.gz`;
  await writeFile(archive, bytes, { mode: 0o600 });
  try {
    await extract({ file: archive, cwd: temp, strict: true });
  } finally {
    await rm(archive, { force: true });
  }
  await writeFile(join(temp, ".shipgate-artifact"), `${artifact.id}\n${artifact.digest}\n`);
  await rm(target, { recursive: true, force: true });
  await rename(temp, target);
  return target;
}
