import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { ShipgateError } from "../errors.js";
import { detectDockerfile } from "./docker.js";
import type { EcosystemDetection } from "./ecosystem.js";
import { type ProjectFiles, projectFiles } from "./files.js";
import { detectGo } from "./go.js";
import { detectJava } from "./java.js";
import { detectNode } from "./node.js";
import { detectPython } from "./python.js";
import { detectRust } from "./rust.js";
import { detectServices } from "./services.js";
import type { Detection } from "./types.js";

export type { DetectedService, DetectedWorkspaces, Detection } from "./types.js";

/** In order of preference when a repository holds several: the first one found is the app. */
const READERS: ReadonlyArray<(files: ProjectFiles) => Promise<EcosystemDetection | null>> = [
  detectNode,
  detectPython,
  detectGo,
  detectRust,
  detectJava,
];

/** Reads a repository's manifests, lockfiles and Dockerfile to suggest its shipgate.yml; runs nothing. */
export async function detectProject(options: { root: string }): Promise<Detection> {
  const root = resolve(options.root);
  if (!(await stat(root).catch(() => null))?.isDirectory()) {
    throw new ShipgateError({
      code: "detect/not-a-directory",
      message: `${root} is not a directory`,
      hint: "Pass the repository's root directory.",
    });
  }
  const files = projectFiles({ root });
  const found: EcosystemDetection[] = [];
  for (const read of READERS) {
    const result = await read(files);
    if (result) found.push(result);
  }
  const [app, ...others] = found;
  const notes: string[] = [];
  if (!app)
    notes.push("No Node, Python, Go, Rust or Java project found at the root; set app.language by hand.");
  else {
    if (others.length) {
      const also = others.map((o) => `${o.language} (${o.manifest})`).join(", ");
      notes.push(`Also found ${also}; using ${app.language} (${app.manifest}) as the app.`);
    }
    notes.push(...app.notes);
  }

  const docker = await detectDockerfile(files);
  const services = await detectServices({
    files,
    language: app?.language ?? null,
    dependencies: app?.dependencies ?? [],
  });
  return {
    root,
    name: serviceName(app?.name ?? null) ?? serviceName(basename(root)) ?? "app",
    language: app?.language ?? null,
    packageManager: app?.packageManager ?? null,
    languageVersion: app?.languageVersion ?? null,
    versionFile: app?.versionFile ?? null,
    lockfile: app?.lockfile ?? null,
    commands: app?.commands ?? {},
    start: app?.start ?? null,
    testRunner: app?.testRunner ?? null,
    coverageReport: app?.coverageReport ?? null,
    dockerfile: docker.dockerfile,
    services,
    workspaces: app?.workspaces ?? null,
    // Read errors are noted as files are read, so they are collected last.
    notes: [...notes, ...docker.notes, ...files.notes],
  };
}

/** `@acme/Orders_API` → `orders-api`: lower-case letters, digits and dashes, as app.name requires. */
export function serviceName(name: string | null): string | null {
  const normalized = (name ?? "")
    .replace(/^@[^/]*\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return normalized || null;
}
