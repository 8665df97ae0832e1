import { access, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { didYouMean } from "../config/did-you-mean.js";
import { parseConfig } from "../config/load.js";
import { TARGET_TYPES, type TargetType } from "../config/schema.js";
import { detectProject } from "../detect/index.js";
import type { Detection } from "../detect/types.js";
import { inputError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import type { InitAnswers } from "./answers.js";
import { renderConfig } from "./render.js";

export const CONFIG_FILE = "shipgate.yml";

/** Smoke files init looks for, in order; the first that exists is written into verify.smoke. */
const SMOKE_FILES = [".shipgate/smoke.yml", "smoke.yml"];

export interface InitOptions {
  root: string;
  target: string;
  /** Replace an existing shipgate.yml. */
  force?: boolean;
  answers?: InitAnswers;
  /** A detection already made (the CLI detects before it asks); detected again when unset. */
  detection?: Detection;
}

export interface InitResult {
  /** Absolute path of shipgate.yml. */
  path: string;
  /** False when the file already held exactly this content. */
  written: boolean;
  detection: Detection;
  target: TargetType;
  content: string;
}

/** Detects the repository at `root` and writes a commented shipgate.yml for it. */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const root = resolve(options.root);
  const target = parseTarget({ value: options.target });
  const path = join(root, CONFIG_FILE);
  const existing = await assertCanWrite({ root, force: options.force });

  const detection = options.detection ?? (await detectProject({ root }));
  const smokeFile = await firstExisting(root, SMOKE_FILES);
  const content = renderConfig({ detection, target, answers: options.answers, smokeFile });
  // The template must always produce a valid file; a failure here is a bug, caught before writing.
  parseConfig({ text: content, file: path });
  if (existing === content) return { path, written: false, detection, target, content };
  await writeFileAtomic(path, content);
  return { path, written: true, detection, target, content };
}

/**
 * Throws `init/exists` when shipgate.yml exists and `force` is not set: a hand-edited
 * configuration is never replaced by accident. Returns the existing text, or null.
 */
export async function assertCanWrite(options: { root: string; force?: boolean }): Promise<string | null> {
  const path = join(resolve(options.root), CONFIG_FILE);
  const existing = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (existing !== null && !options.force) {
    throw inputError("init/exists", `${path} already exists; it was left unchanged`, {
      hint: "use --force to overwrite",
    });
  }
  return existing;
}

/** Validates a target name from a flag or a prompt. */
export function parseTarget(options: { value: string }): TargetType {
  const value = options.value.trim().toLowerCase();
  const match = TARGET_TYPES.find((t) => t === value);
  if (match) return match;
  const suggestion = didYouMean({ input: value, candidates: TARGET_TYPES });
  throw inputError("init/unknown-target", `unknown target "${options.value}"`, {
    hint: `${suggestion ? `did you mean "${suggestion}"? ` : ""}valid targets: ${TARGET_TYPES.join(", ")}`,
  });
}

async function firstExisting(root: string, candidates: readonly string[]): Promise<string | null> {
  for (const candidate of candidates) {
    if (
      await access(join(root, candidate)).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}
