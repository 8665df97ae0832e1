import { access, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { didYouMean } from "../config/did-you-mean.js";
import { parseConfig } from "../config/load.js";
import { type Language, LanguageSchema, TARGET_TYPES, type TargetType } from "../config/schema.js";
import { detectProject } from "../detect/index.js";
import type { Detection } from "../detect/types.js";
import { inputError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { readGenerated } from "../generate/header.js";
import { VERSION } from "../version.js";
import type { InitAnswers } from "./answers.js";
import { renderConfig } from "./render.js";
import { type UnsureValue, unsureValues } from "./unsure.js";

export const CONFIG_FILE = "shipgate.yml";

/** Smoke files init looks for, in order; the first that exists is written into verify.smoke. */
const SMOKE_FILES = [".shipgate/smoke.yml", "smoke.yml"];

/** The vendored package generated workflows run shipgate from (see docs/init.md, "How the workflows get shipgate"). */
export const CLI_TARBALL = `.github/shipgate/shipgate-${VERSION}.tgz`;

/** The file names `generate` writes for the two environments init configures. */
const GENERATED_NAMES = ["ci.yml", "deploy-staging.yml", "deploy-production.yml", "rollback.yml"];

export interface InitOptions {
  /** The repository root: shipgate.yml and .github/workflows go here. */
  root: string;
  /** The app's folder relative to the root; the most likely deployable when unset. */
  app?: string;
  /** Of the deployables in the app's folder, the one in this language. */
  language?: Language;
  /** The config file's name at the root; another name than shipgate.yml is a second app's. */
  configFile?: string;
  target: string;
  /** Replace an existing config file. */
  force?: boolean;
  answers?: InitAnswers;
  /** A detection already made (the CLI detects before it asks); detected again when unset. */
  detection?: Detection;
}

export interface InitResult {
  /** Absolute path of the config file. */
  path: string;
  /** False when the file already held exactly this content. */
  written: boolean;
  detection: Detection;
  target: TargetType;
  content: string;
  /** Put before the generated workflow files' names ("" for none), and why. */
  workflowPrefix: { prefix: string; reason: string | null };
  /** What the person must check: marked "Replace" in the file. */
  unsure: UnsureValue[];
}

/** Detects the repository at `root` and writes a commented shipgate.yml for it. */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const root = resolve(options.root);
  const target = parseTarget({ value: options.target });
  const configFile = options.configFile ?? CONFIG_FILE;
  const path = resolve(root, configFile);
  const existing = await assertCanWrite({ root, force: options.force, configFile });

  const detection =
    options.detection ?? (await detectProject({ root, app: options.app, language: options.language }));
  const smokeFile = await firstExisting(root, SMOKE_FILES);
  const workflowPrefix = await prefixFor({ root, detection, configFile });
  const content = renderConfig({
    detection,
    target,
    answers: options.answers,
    smokeFile,
    workflowPrefix: workflowPrefix.prefix,
    workflowPrefixReason: workflowPrefix.reason ?? undefined,
    cliTarball: CLI_TARBALL,
  });
  // The template must always produce a valid file; a failure here is a bug, caught before writing.
  parseConfig({ text: content, file: path });
  const unsure = unsureValues({
    detection,
    target,
    answeredUrls: {
      staging: Boolean(options.answers?.stagingUrl),
      production: Boolean(options.answers?.productionUrl),
    },
  });
  const result = { path, detection, target, content, workflowPrefix, unsure };
  if (existing === content) return { ...result, written: false };
  await writeFileAtomic(path, content);
  return { ...result, written: true };
}

/**
 * The generated files need other names when the repository already has workflows of the same
 * names that shipgate did not write (generate never overwrites them), or when this config is a
 * second app's beside shipgate.yml.
 */
async function prefixFor(options: {
  root: string;
  detection: Detection;
  configFile: string;
}): Promise<{ prefix: string; reason: string | null }> {
  const { root, detection, configFile } = options;
  if (configFile !== CONFIG_FILE) {
    return {
      prefix: `${detection.name}-`,
      reason: `This is ${detection.name}'s pipeline, beside the other apps' in this repository`,
    };
  }
  for (const prefix of ["", "shipgate-", "shipgate2-"]) {
    const taken: string[] = [];
    for (const name of GENERATED_NAMES) {
      const text = await readFile(join(root, ".github/workflows", `${prefix}${name}`), "utf8").catch(
        () => null,
      );
      if (text !== null && readGenerated(text).kind === "foreign") taken.push(`${prefix}${name}`);
    }
    if (!taken.length) {
      if (!prefix) return { prefix, reason: null };
      const own = GENERATED_NAMES.filter((n) => detection.existingWorkflows.includes(n));
      return {
        prefix,
        reason: `The repository's own ${own.join(", ")} ${own.length > 1 ? "stay as they are" : "stays as it is"}; shipgate's files are written beside ${own.length > 1 ? "them" : "it"}`,
      };
    }
  }
  return { prefix: "shipgate3-", reason: "Written beside the repository's own workflows" };
}

/**
 * Throws `init/exists` when the config file exists and `force` is not set: a hand-edited
 * configuration is never replaced by accident. Returns the existing text, or null.
 */
export async function assertCanWrite(options: {
  root: string;
  force?: boolean;
  configFile?: string;
}): Promise<string | null> {
  const path = resolve(options.root, options.configFile ?? CONFIG_FILE);
  const existing = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (existing !== null && !options.force) {
    throw inputError("init/exists", `${path} already exists; it was left unchanged`, {
      hint: "use --force to overwrite it, or --config shipgate.<app>.yml to configure another app of this repository",
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

/** The language `--language` names, or an error listing the ones shipgate reads. */
export function parseLanguage(options: { value: string }): Language {
  const value = options.value.trim().toLowerCase();
  const languages = LanguageSchema.options;
  const match = languages.find((l) => l === value);
  if (match) return match;
  const suggestion = didYouMean({ input: value, candidates: languages });
  throw inputError("init/unknown-language", `unknown language "${options.value}"`, {
    hint: `${suggestion ? `did you mean "${suggestion}"? ` : ""}languages: ${languages.join(", ")}`,
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
