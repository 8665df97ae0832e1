import { createHash } from "node:crypto";
import { inputError } from "../errors.js";
import type { ArtifactRecord, Ledger } from "../ledger/types.js";
import { artifactWitnessData, BUILD_ENV } from "../ledger/witness.js";
import { gitText } from "./git.js";

/**
 * Container images as artifacts, for targets that run images (kubernetes). The CI job builds
 * and pushes the image once; `shipgate deploy --artifact <image>` records it in the ledger the
 * first time it is named, with a build event like `shipgate build` writes, and every later
 * deploy, promotion or rollback of the same reference uses that record. The reference is the
 * artifact's id; its digest is the image's own (`@sha256:…`) when the reference carries one.
 */
export interface ImageManifest {
  schema: 1;
  kind: "image";
  image: string;
  /** Whether the reference names the image by digest (immutable) rather than by tag only. */
  pinned: boolean;
  builtAt: string;
}

/** repository[:tag][@sha256:<64 hex>], with an optional registry host and port. */
const IMAGE_REFERENCE =
  /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function isImageReference(ref: string): boolean {
  return IMAGE_REFERENCE.test(ref) && (ref.includes(":") || ref.includes("@"));
}

export function isImageArtifact(artifact: ArtifactRecord): boolean {
  return (artifact.manifest as { kind?: unknown }).kind === "image";
}

export function imageOfArtifact(artifact: ArtifactRecord): string {
  return (artifact.manifest as unknown as ImageManifest).image;
}

/**
 * The ledger's record of an image, made on first use. The commit is the checkout's HEAD (the
 * commit the pipeline built the image from), which DORA's lead time reads.
 */
export async function imageArtifact(options: {
  ledger: Ledger;
  ref: string;
  cwd: string;
}): Promise<ArtifactRecord> {
  const { ledger, ref } = options;
  const existing = await ledger.getArtifact(ref);
  if (existing) return existing;
  if (!isImageReference(ref)) {
    throw inputError("deploy/not-an-image", `"${ref}" is not a container image reference`, {
      hint: "this environment runs images: pass --artifact registry/repository:tag or registry/repository@sha256:<digest>",
    });
  }
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(ref)?.[1];
  let commit = "";
  try {
    commit = await gitText(["rev-parse", "--verify", "HEAD^{commit}"], { cwd: options.cwd });
  } catch {
    // Not a git checkout: the record carries no commit.
  }
  const manifest: ImageManifest = {
    schema: 1,
    kind: "image",
    image: ref,
    pinned: Boolean(digest),
    builtAt: new Date().toISOString(),
  };
  const artifact: ArtifactRecord = {
    id: ref,
    // A tag-only reference has no content digest to record: its reference stands in for one.
    digest: digest ?? `sha256:${createHash("sha256").update(ref).digest("hex")}`,
    commit,
    location: ref,
    createdAt: manifest.builtAt,
    manifest: manifest as unknown as Record<string, unknown>,
  };
  await ledger.putArtifact(artifact);
  await ledger.appendEvent({ env: BUILD_ENV, type: "artifact.built", data: artifactWitnessData(artifact) });
  return artifact;
}
