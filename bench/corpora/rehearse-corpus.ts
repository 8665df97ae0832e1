/**
 * `npm run corpus:rehearse -- [ids…] [--timeout <minutes>] [--json] [--keep]`: for each
 * repository of the labelled corpus, a scratch copy of its materialized tree (a new git
 * repository with one commit), `shipgate init --yes`, then `shipgate ci rehearse`, and a table
 * of every CI job's outcome. The trees in `.corpora/repos/` are only read.
 *
 * The jobs install their dependencies from the registries this machine reaches, so the
 * figures depend on the machine: which runtimes and services are installed, and the network.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { main as cli } from "../../src/cli/main.js";
import { rehearseCi } from "../../src/rehearse/index.js";
import type { RehearsalReport } from "../../src/rehearse/types.js";
import { LABELS_DIR, MATERIALIZED_DIR, SCRATCH_GIT_IDENTITY } from "./repos/corpus.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** One repository per ecosystem this machine can build without extra system packages. */
const DEFAULT_IDS = ["uptime-kuma", "healthchecks", "miniflux", "listmonk", "mcaptcha", "wrongsecrets"];
const JOBS = ["install", "lint", "typecheck", "test", "build"] as const;

interface Row {
  id: string;
  ecosystem: string;
  error: string | null;
  report: RehearsalReport | null;
}

function options(argv: string[]) {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const flagValues = new Set(["--timeout"].map((f) => value(f)).filter(Boolean));
  const ids = argv.filter((a) => !a.startsWith("--") && !flagValues.has(a));
  return {
    ids: ids.length ? ids : DEFAULT_IDS,
    timeoutMinutes: Number(value("--timeout") ?? 15),
    json: argv.includes("--json"),
    keep: argv.includes("--keep"),
  };
}

function git(args: string[], cwd: string) {
  const result = spawnSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...SCRATCH_GIT_IDENTITY },
  });
  if (result.status !== 0) throw new Error(`git ${args[0]} in ${cwd}: ${result.stderr.trim()}`);
}

/** A new repository holding the tree, so the rehearsal clones it as it would a real checkout. */
function scratchCopy(id: string): string {
  const dir = mkdtempSync(join(tmpdir(), `shipgate-rehearse-corpus-${id}-`));
  cpSync(join(ROOT, MATERIALIZED_DIR, id), dir, { recursive: true, verbatimSymlinks: true });
  git(["init", "--quiet"], dir);
  git(["add", "--all", "--force"], dir);
  git(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "--allow-empty", "-m", id], dir);
  return dir;
}

async function rehearseOne(id: string, timeoutMinutes: number, keep: boolean): Promise<Row> {
  const labelFile = join(ROOT, LABELS_DIR, `${id}.yml`);
  const ecosystem = existsSync(labelFile)
    ? String((parse(readFileSync(labelFile, "utf8")) as { ecosystem?: string }).ecosystem ?? "?")
    : "?";
  if (!existsSync(join(ROOT, MATERIALIZED_DIR, id))) {
    return { id, ecosystem, error: "not materialized (npm run corpus:materialize -- repos)", report: null };
  }
  const dir = scratchCopy(id);
  try {
    let output = "";
    const io = {
      stdout: { write: (s: string) => (output += s) },
      stderr: { write: (s: string) => (output += s) },
      cwd: dir,
      env: process.env,
      interactive: false,
      color: false,
    };
    const code = await cli(["init", "--yes"], io);
    if (!existsSync(join(dir, "shipgate.yml"))) {
      return {
        id,
        ecosystem,
        error: `init exited ${code}: ${output.trim().split("\n").slice(-2).join(" / ")}`,
        report: null,
      };
    }
    // shipgate.yml is what the user would commit before pushing.
    git(["add", "shipgate.yml"], dir);
    git(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", "shipgate init"], dir);
    const report = await rehearseCi({
      dir,
      timeoutMinutes,
      onEvent: (event) => {
        if (event.kind === "job-end")
          console.error(
            `${id}: ${event.job.name} ${event.job.status} (${Math.round(event.job.durationMs / 1000)} s)`,
          );
        if (event.kind === "service")
          console.error(`${id}: service ${event.service.kind} ${event.service.status}`);
      },
    });
    return { id, ecosystem, error: null, report };
  } catch (error) {
    return { id, ecosystem, error: error instanceof Error ? error.message : String(error), report: null };
  } finally {
    if (keep) console.error(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const CELL: Record<string, string> = { passed: "pass", failed: "FAIL", "not-rehearsed": "n/r" };

function table(rows: Row[]): string {
  const lines = [
    `| repository | ecosystem | ${JOBS.join(" | ")} | duration |`,
    `| --- | --- | ${JOBS.map(() => "---").join(" | ")} | --- |`,
  ];
  for (const row of rows) {
    const cells = JOBS.map((id) => {
      const job = row.report?.jobs.find((j) => j.id === id);
      return job ? CELL[job.status] : "—";
    });
    const duration = row.report ? `${Math.round(row.report.summary.durationMs / 1000)} s` : (row.error ?? "");
    lines.push(`| ${row.id} | ${row.ecosystem} | ${cells.join(" | ")} | ${duration} |`);
  }
  lines.push("", "pass: passed, FAIL: failed, n/r: not rehearsed, —: no such job in the pipeline", "");
  for (const row of rows) {
    if (!row.report) continue;
    for (const job of row.report.jobs) {
      if (job.status === "passed" && !job.warnings.length) continue;
      const why = job.reason ?? "";
      lines.push(`${row.id} ${job.id}: ${job.status}${why ? ` — ${why}` : ""}`);
      for (const w of job.warnings) lines.push(`    warning: ${w}`);
      for (const l of job.outputTail.slice(-12)) lines.push(`    │ ${l.slice(0, 200)}`);
    }
  }
  return lines.join("\n");
}

async function run(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const rows: Row[] = [];
  for (const id of opts.ids) rows.push(await rehearseOne(id, opts.timeoutMinutes, opts.keep));
  console.log(opts.json ? JSON.stringify(rows, null, 2) : table(rows));
  return rows.every((r) => r.report) ? 0 : 1;
}

process.exitCode = await run();
