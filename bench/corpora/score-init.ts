/**
 * corpus:score-init — how well `shipgate init` describes real repositories it was not built
 * against. For each repository materialized into `.corpora/repos/<id>/` (npm run
 * corpus:materialize -- repos), it:
 *
 * 1. copies the tree into a scratch folder and gives it git history as a clone would have it: one
 *    commit on the branch the manifest records, `origin/HEAD` pointing at it;
 * 2. runs the built CLI there, `node bin/shipgate.js init --yes`, with no terminal;
 * 3. compares every labelled field (bench/corpora/repos/labels/<id>.yml) with the shipgate.yml
 *    init wrote (bench/corpora/repos/score.ts) and prints accuracy per field, per ecosystem and
 *    overall.
 *
 *   npm run corpus:score-init -- [--only id,id] [--split dev|test] [--json] [--verbose] [--keep]
 *                                [--timeout 180] [--all-apps]
 *
 * `--all-apps` also runs the `shipgate init --app … --config …` commands init prints for the
 * other deployables it found, and scores every config written: the repository configured the
 * way init tells its user to, one app per file. Without it only the first run is scored.
 *
 * `--split` measures one side of bench/corpora/repos/split.json: detection is tuned on dev and
 * only measured on test.
 *
 * The labels were written before init ran on these repositories; see bench/corpora/repos/README.md.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readStamp } from "./materialize.js";
import {
  loadLabels,
  loadManifest,
  loadSplit,
  MATERIALIZED_DIR,
  type ManifestEntry,
  type RepoLabel,
  SCRATCH_GIT_IDENTITY,
  SPLITS,
  type SplitName,
} from "./repos/corpus.js";
import { formatSummary, type RepoResult, scoreRepository, summarize } from "./repos/score.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const CLI = join(ROOT, "bin/shipgate.js");

interface Options {
  only: string[] | undefined;
  split: SplitName | undefined;
  json: boolean;
  verbose: boolean;
  keep: boolean;
  allApps: boolean;
  timeoutSeconds: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const split = value("--split");
  if (split !== undefined && !(SPLITS as readonly string[]).includes(split)) {
    throw new Error(`--split takes ${SPLITS.join(" or ")}, not ${split}`);
  }
  return {
    only: value("--only")?.split(",").filter(Boolean),
    split: split as SplitName | undefined,
    json: argv.includes("--json"),
    verbose: argv.includes("--verbose"),
    keep: argv.includes("--keep"),
    allApps: argv.includes("--all-apps"),
    timeoutSeconds: Number(value("--timeout") ?? 180),
  };
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000) {
  return spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...SCRATCH_GIT_IDENTITY },
  });
}

/** A scratch repository with the tree and a clone's view of its default branch. */
function scratchCopy(entry: ManifestEntry, tree: string, branch: string): string {
  const dir = mkdtempSync(join(tmpdir(), `shipgate-score-${entry.id}-`));
  cpSync(tree, dir, { recursive: true, verbatimSymlinks: true });
  const steps: string[][] = [
    ["init", "--quiet", "--initial-branch", branch],
    ["add", "--all", "--force"],
    [
      "commit",
      "--quiet",
      "--no-verify",
      "--no-gpg-sign",
      "--allow-empty",
      "-m",
      `${entry.repo}@${entry.commit}`,
    ],
    ["remote", "add", "origin", `https://github.com/${entry.repo}.git`],
    ["update-ref", `refs/remotes/origin/${branch}`, "HEAD"],
    ["symbolic-ref", "refs/remotes/origin/HEAD", `refs/remotes/origin/${branch}`],
  ];
  for (const args of steps) {
    const result = run("git", args, dir);
    if (result.status !== 0) throw new Error(`git ${args[0]} in ${dir}: ${result.stderr.trim()}`);
  }
  return dir;
}

function scoreOne(entry: ManifestEntry, label: RepoLabel | undefined, options: Options): RepoResult | string {
  if (!label) return `${entry.id}: no label file`;
  if (label.commit !== entry.commit)
    return `${entry.id}: the label is for ${label.commit}, the manifest for ${entry.commit}`;
  const tree = join(ROOT, MATERIALIZED_DIR, entry.id);
  const stamp = readStamp(ROOT, entry.id);
  if (!existsSync(tree) || !stamp)
    return `${entry.id}: not materialized (npm run corpus:materialize -- repos)`;
  if (stamp.commit !== entry.commit)
    return `${entry.id}: materialized at ${stamp.commit}, not ${entry.commit}`;
  const dir = scratchCopy(entry, tree, entry.branch);
  try {
    const init = run(process.execPath, [CLI, "init", "--yes"], dir, options.timeoutSeconds * 1000);
    const file = join(dir, "shipgate.yml");
    const text = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    const error =
      text === undefined
        ? `init exited ${init.status ?? init.signal} and wrote no shipgate.yml: ${(init.stderr || init.stdout).trim().split("\n").slice(-3).join(" / ")}`
        : undefined;
    const texts = text === undefined ? undefined : [text];
    if (texts && options.allApps) {
      // The commands init printed for the other deployables, as its user would run them.
      for (const m of init.stdout.matchAll(
        /^ {2}shipgate init --app (\S+)(?: --language (\S+))? --config (\S+)$/gm,
      )) {
        const [, app, language, config] = m;
        run(
          process.execPath,
          [
            CLI,
            "init",
            "--yes",
            "--app",
            app!,
            ...(language ? ["--language", language] : []),
            "--config",
            config!,
          ],
          dir,
          options.timeoutSeconds * 1000,
        );
        const other = join(dir, config!);
        if (existsSync(other)) texts.push(readFileSync(other, "utf8"));
      }
    }
    return scoreRepository(label, texts, error);
  } finally {
    if (options.keep) console.error(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function formatRepo(result: RepoResult): string {
  const lines = [`${result.id} (${result.ecosystem})${result.error ? `: ${result.error}` : ""}`];
  for (const f of result.fields) {
    const where = f.app < 0 ? "" : `app ${f.app} `;
    const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v));
    lines.push(
      `  ${f.outcome.padEnd(7)} ${where}${f.field}: expected ${show(f.expected)}, got ${show(f.observed)}${f.note ? ` (${f.note})` : ""}`,
    );
  }
  return lines.join("\n");
}

const SPLIT_NOTE: Record<SplitName, string> = {
  dev: "the repositories detection is tuned against",
  test: "held out: measured only",
};

function main(): number {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(CLI)) {
    console.error(`${CLI} is missing: run npm run build first`);
    return 2;
  }
  const manifest = loadManifest(ROOT);
  const inSplit = options.split ? loadSplit(ROOT, manifest)[options.split] : undefined;
  const entries = manifest.repositories.filter(
    (e) => (!options.only || options.only.includes(e.id)) && (!inSplit || inSplit.includes(e.id)),
  );
  const labels = loadLabels(ROOT);
  const results: RepoResult[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    const outcome = scoreOne(entry, labels.get(entry.id), options);
    if (typeof outcome === "string") {
      skipped.push(outcome);
      continue;
    }
    results.push(outcome);
    if (!options.json) console.error(`scored ${entry.id}`);
  }
  const summary = summarize(results);
  if (options.json) {
    console.log(JSON.stringify({ summary, repositories: results, skipped }, null, 2));
  } else {
    if (options.verbose) for (const r of results) console.log(`${formatRepo(r)}\n`);
    if (options.split) console.log(`split: ${options.split} (${SPLIT_NOTE[options.split]})\n`);
    console.log(formatSummary(summary));
    if (skipped.length > 0) console.log(`\nnot scored:\n${skipped.map((s) => `  ${s}`).join("\n")}`);
  }
  return results.length > 0 ? 0 : 1;
}

process.exit(main());
