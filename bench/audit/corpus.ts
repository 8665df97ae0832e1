import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/**
 * Where bench:audit finds its workflows. They are real files from a public repository, so
 * they are measured, not committed: the team and CI keep a copy beside the checkout in
 * ../shared/corpus/starter-workflows; anyone else names a folder with --corpus or
 * SHIPGATE_BENCH_CORPUS.
 */
export const CORPUS_ENV = "SHIPGATE_BENCH_CORPUS";
export const SHARED_CORPUS = "../shared/corpus/starter-workflows";

/** The figures in docs/audit.md were measured on this many files per copy. */
export const REFERENCE_FILE_COUNT = 173;

export const HOW_TO_GET_ONE = [
  "bench:audit needs a folder of real GitHub Actions workflow files, which are not part of this repository.",
  `It looks for --corpus <dir>, then $${CORPUS_ENV}, then ${SHARED_CORPUS} beside the checkout.`,
  "To make one: clone https://github.com/actions/starter-workflows at commit",
  "1035244887e26fbbd4f1017d919fb5995cc521c4 and copy each template as <folder>_<file>.yml into one folder:",
  '  for f in */*.yml; do cp "$f" "$DEST/${f%%/*}_${f##*/}"; done',
].join("\n");

export interface CorpusLocation {
  dir: string;
  /** How the folder was chosen, for the bench's first line. */
  source: "flag" | "environment" | "shared";
}

export function findCorpus(options: {
  argv: string[];
  env: NodeJS.ProcessEnv;
  root: string;
}): CorpusLocation {
  const flagAt = options.argv.indexOf("--corpus");
  const fromFlag = flagAt >= 0 ? options.argv[flagAt + 1] : undefined;
  if (flagAt >= 0 && !fromFlag) throw new CorpusError(`--corpus needs a folder.\n${HOW_TO_GET_ONE}`);
  const candidates: Array<[string | undefined, CorpusLocation["source"]]> = [
    [fromFlag, "flag"],
    [options.env[CORPUS_ENV], "environment"],
    [SHARED_CORPUS, "shared"],
  ];
  for (const [path, source] of candidates) {
    if (!path) continue;
    const dir = isAbsolute(path) ? path : resolve(source === "shared" ? options.root : process.cwd(), path);
    if (existsSync(dir) && statSync(dir).isDirectory()) return { dir, source };
    // A folder named on purpose and missing is a mistake; the shared default is only a default.
    if (source !== "shared") throw new CorpusError(`${dir} is not a folder.\n${HOW_TO_GET_ONE}`);
  }
  throw new CorpusError(`No workflow corpus found.\n${HOW_TO_GET_ONE}`);
}

export class CorpusError extends Error {}

/** The corpus's `.yml` files, sorted (the two `.yaml` templates were never part of the figures). */
export function corpusFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".yml"))
    .sort()
    .map((n) => join(dir, n));
}
