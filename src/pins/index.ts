import { readFileSync } from "node:fs";

/**
 * Pinned versions of the actions generated workflows use. The data file was read from each
 * action's own repository (tags peeled to commits); a workflow names the commit SHA and keeps
 * the tag in a comment, so a moved or compromised tag cannot change what runs.
 */

interface PinEntry {
  latest: { tag: string; sha: string } | null;
  latestPerMajor?: Record<string, { tag: string; sha: string }>;
  branches?: Record<string, string>;
}

interface PinsFile {
  actions: Record<string, PinEntry>;
}

export interface PinnedAction {
  /** `owner/repo@<40-hex sha>` */
  uses: string;
  /** The release tag the SHA belongs to, written as a comment after it. */
  tag: string;
}

/**
 * Majors chosen instead of the newest release, where the newest major's inputs were not
 * verified against what the generator writes. Every other action uses its newest release.
 */
const MAJOR_OVERRIDES: Readonly<Record<string, string>> = {
  // v2 and v3 take `webhook` + `webhook-type`; the payload format below was checked against v3.
  "slackapi/slack-github-action": "v3",
};

/** Actions referenced by a branch rather than a release tag. */
const BRANCH_REFS: Readonly<Record<string, string>> = {
  "dtolnay/rust-toolchain": "stable",
};

let cache: PinsFile | undefined;
let byLowerName: Map<string, string> | undefined;

function pinsData(): PinsFile {
  cache ??= JSON.parse(
    readFileSync(new URL("../../data/action-pins.json", import.meta.url), "utf8"),
  ) as PinsFile;
  return cache;
}

/** The data's own spelling of an action name, matched case-insensitively (GitHub is). */
function actionKey(action: string): string | undefined {
  byLowerName ??= new Map(Object.keys(pinsData().actions).map((k) => [k.toLowerCase(), k]));
  return byLowerName.get(action.toLowerCase());
}

export function knownActions(): string[] {
  return Object.keys(pinsData().actions).sort();
}

/** Looks an action up; undefined when the pins data does not know it. */
export function findPin(action: string): PinnedAction | undefined {
  const key = actionKey(action);
  if (!key) return undefined;
  const entry = pinsData().actions[key]!;
  const branch = BRANCH_REFS[key];
  if (branch && entry.branches?.[branch]) return { uses: `${key}@${entry.branches[branch]}`, tag: branch };
  const major = MAJOR_OVERRIDES[key];
  const chosen = major ? entry.latestPerMajor?.[major] : entry.latest;
  if (!chosen) return undefined;
  return { uses: `${key}@${chosen.sha}`, tag: chosen.tag };
}

/** Like findPin, for actions the generator itself uses: a missing pin is a bug in shipgate. */
export function pin(action: string): PinnedAction {
  const found = findPin(action);
  if (!found) throw new Error(`no pinned version of ${action} in data/action-pins.json`);
  return found;
}

/**
 * The newest release within `major` (e.g. "v4"), so a pin keeps the inputs the workflow was
 * written for. Undefined when the data has no such major.
 */
export function findMajorPin(action: string, major: string): PinnedAction | undefined {
  const key = actionKey(action);
  const chosen = key ? pinsData().actions[key]!.latestPerMajor?.[major] : undefined;
  return chosen ? { uses: `${key}@${chosen.sha}`, tag: chosen.tag } : undefined;
}
