import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { extract } from "tar";
import type { ShipgateConfig } from "../config/schema.js";
import { inputError, ShipgateError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { canonicalJson } from "../ledger/canonical-json.js";
import type { ArtifactRecord, Ledger } from "../ledger/types.js";
import { artifactWitness, artifactWitnessData, BUILD_ENV } from "../ledger/witness.js";
import { escapingLink, escapingLinksAt, linksOutsideError, treeDigest } from "./artifact-tree.js";
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
  // Where the start command runs: the build root of a module (its jar is built from there).
  const workdir = relative(top, join(configDir, config.app.buildRoot ?? config.app.path)) || ".";
  if (workdir === ".." || workdir.startsWith(`..${sep}`) || isAbsolute(workdir)) {
    throw inputError(
      "build/app-path-outside",
      `app.path "${config.app.path}" is outside the repository (${top}): the artifact holds only the repository's files`,
      { hint: "set app.path to the app's directory inside the repository, relative to shipgate.yml" },
    );
  }
  const escaping = await escapingLinksAt({ cwd: top, commit });
  if (escaping.length > 0) throw linksOutsideError(escaping);

  const runtime: ArtifactRuntime = {
    workdir,
    start,
    healthPath: config.app.healthPath,
    ...(config.app.readyPath && { readyPath: config.app.readyPath }),
  };
  const existing = await ledger.getArtifact(id);
  if (existing && existsSync(existing.location)) {
    await restoreIfChanged(existing, top);
    await witnessExisting(ledger, existing, runtime);
    return { artifact: existing, created: false, uncommitted };
  }

  const tarball = await git(["archive", "--format=tar.gz", commit], { cwd: top });
  const digest = sha256(tarball);
  const dir = join(stateDir, "artifacts");
  const location = join(dir, `${config.app.name}-${commit.slice(0, 12)}.tar.gz`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeTarball(location, tarball);

  const manifest: ArtifactManifest = {
    schema: 1,
    name: config.app.name,
    commit,
    digest,
    bytes: tarball.length,
    builtAt: new Date().toISOString(),
    runtime,
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
  // The build's witness: every later use of the row is checked against this event.
  await ledger.appendEvent({ env: BUILD_ENV, type: "artifact.built", data: artifactWitnessData(artifact) });
  return { artifact, created: true, uncommitted };
}

/**
 * An artifact recorded before builds had a witness gets one when it is built again, but only
 * if the row is what building it now gives (the same digest, shown by restoreIfChanged, and the
 * same way to start it); a row that differs is not vouched for.
 */
async function witnessExisting(
  ledger: Ledger,
  artifact: ArtifactRecord,
  runtime: ArtifactRuntime,
): Promise<void> {
  if (artifactWitness(await ledger.listEvents({ env: BUILD_ENV }), artifact.id)) return;
  if (canonicalJson(artifactRuntime(artifact)) !== canonicalJson(runtime)) {
    throw new ShipgateError(
      {
        code: "ledger/untrusted",
        message: `the ledger's record of ${artifact.id} says it starts with ${JSON.stringify(artifactRuntime(artifact))}, but building its commit now gives ${JSON.stringify(runtime)}, and no build event records either`,
        hint: "the record may have been edited: check the ledger, or build a new commit",
      },
      { exitCode: 1 },
    );
  }
  await ledger.appendEvent({ env: BUILD_ENV, type: "artifact.built", data: artifactWitnessData(artifact) });
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

async function writeTarball(location: string, tarball: Buffer): Promise<void> {
  const temp = `${location}.${process.pid}.tmp`;
  await writeFile(temp, tarball, { mode: 0o600 });
  await rename(temp, location);
}

/**
 * A tarball changed on disk since its build is made again from its commit: `git archive` gives
 * the same bytes for a commit, so the rebuilt one must have the recorded digest.
 */
async function restoreIfChanged(artifact: ArtifactRecord, top: string): Promise<void> {
  if (sha256(await readFile(artifact.location)) === artifact.digest) return;
  const tarball = await git(["archive", "--format=tar.gz", artifact.commit], { cwd: top });
  const rebuilt = sha256(tarball);
  if (rebuilt !== artifact.digest) {
    throw new ShipgateError(
      {
        code: "artifact/not-reproducible",
        message: `${artifact.id} on disk does not match its digest, and rebuilding commit ${artifact.commit.slice(0, 12)} gives ${rebuilt}, not the recorded ${artifact.digest}`,
        hint: "git archive output changed (another git version?): deploy a new commit's artifact instead",
      },
      { exitCode: 1 },
    );
  }
  await writeTarball(artifact.location, tarball);
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

/** Past this many unpacked bytes an artifact is refused: a tarball is not a place for data sets. */
export const MAX_UNPACKED_BYTES = 4 * 1024 ** 3;
const MARKER = ".shipgate-artifact";

/**
 * Unpacks an artifact for the local target: the tarball's digest is checked first, so a file
 * changed on disk since the build never runs. Unpacks to a temporary directory and renames.
 * A directory unpacked before is used again only if its files are still the ones unpacked
 * (their digest is kept beside them); one changed since is moved aside and unpacked anew.
 */
export async function unpackArtifact(options: {
  artifact: ArtifactRecord;
  stateDir: string;
  maxBytes?: number;
}): Promise<string> {
  const { artifact, stateDir } = options;
  const target = join(stateDir, "releases", artifact.id.replace(/[^A-Za-z0-9._-]/g, "_"));
  if (existsSync(join(target, MARKER))) {
    if (await unchangedSinceUnpacked(target, artifact)) return target;
    // Instances still running from it keep their directory; new ones get a clean copy.
    await rename(target, `${target}.modified-${Date.now()}`);
  }
  const bytes = await readVerifiedTarball(artifact);
  const temp = `${target}.${process.pid}.tmp`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true, mode: 0o700 });
  try {
    await extractChecked({ artifact, bytes, into: temp, maxBytes: options.maxBytes ?? MAX_UNPACKED_BYTES });
    const tree = await treeDigest(temp);
    await writeFile(join(temp, MARKER), `${artifact.id}\n${artifact.digest}\n${tree}\n`);
    await rm(target, { recursive: true, force: true });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/** The artifact's tarball, once its bytes are shown to be the ones built (by their digest). */
export async function readVerifiedTarball(artifact: ArtifactRecord): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(artifact.location);
  } catch (error) {
    throw inputError("artifact/missing", `artifact ${artifact.id} is gone from ${artifact.location}`, {
      hint: `${(error as Error).message}; build it again with "shipgate build" on commit ${artifact.commit.slice(0, 12)}`,
    });
  }
  const digest = sha256(bytes);
  if (digest !== artifact.digest) {
    throw new ShipgateError(
      {
        code: "artifact/digest-mismatch",
        message: `artifact ${artifact.id} does not match its digest: recorded ${artifact.digest}, on disk ${digest}`,
        hint: `the tarball was changed after the build; "shipgate build" on commit ${artifact.commit.slice(0, 12)} restores it`,
      },
      { exitCode: 1 },
    );
  }
  return bytes;
}

async function unchangedSinceUnpacked(dir: string, artifact: ArtifactRecord): Promise<boolean> {
  const [id, digest, tree] = (await readFile(join(dir, MARKER), "utf8")).split("\n");
  if (id !== artifact.id || digest !== artifact.digest || !tree) return false;
  return (await treeDigest(dir, new Set([MARKER]))) === tree;
}

/**
 * Extracts the tarball, refusing (before anything is written) links that leave the release
 * directory and more than `maxBytes` of content; either, or a damaged archive, is an error
 * that names the entry.
 */
async function extractChecked(options: {
  artifact: ArtifactRecord;
  bytes: Buffer;
  into: string;
  maxBytes: number;
}): Promise<void> {
  const { artifact, into, maxBytes } = options;
  const archive = `${into}.tar.gz`;
  await writeFile(archive, options.bytes, { mode: 0o600 });
  let total = 0;
  let refused: string | undefined;
  try {
    await extract({
      file: archive,
      cwd: into,
      strict: true,
      filter: (path, entry) => {
        if (refused) return false;
        const stat = entry as { type?: string; linkpath?: string; size?: number };
        // A hard link's target is named from the archive's root, a symbolic link's from its directory.
        const escapes =
          stat.type === "SymbolicLink"
            ? escapingLink(path, stat.linkpath ?? "")
            : stat.type === "Link" && escapingLink(".", stat.linkpath ?? "");
        if (escapes) {
          refused = `${path} is a link to ${stat.linkpath}, outside the release`;
          return false;
        }
        total += stat.size ?? 0;
        if (total > maxBytes) {
          refused = `it unpacks to more than ${maxBytes} bytes (at ${path})`;
          return false;
        }
        return true;
      },
    });
  } catch (error) {
    const entry = (error as { entry?: { path?: string } }).entry?.path ?? (error as { path?: string }).path;
    refused ??= `${entry ? `${entry}: ` : ""}${(error as Error).message}`;
  } finally {
    await rm(archive, { force: true });
  }
  if (refused !== undefined) {
    throw new ShipgateError(
      {
        code: "artifact/unsafe",
        message: `artifact ${artifact.id} cannot be unpacked: ${refused}`,
        hint: "build the artifact again from a commit without such files",
      },
      { exitCode: 1 },
    );
  }
}
