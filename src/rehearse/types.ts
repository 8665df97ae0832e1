import type { ServiceKind } from "../config/schema.js";
import type { CheckId } from "../pipeline/model.js";

/** What `rehearseCi` is asked to do. */
export interface RehearseOptions {
  /** The repository (or a folder inside it) holding shipgate.yml. */
  dir: string;
  /** shipgate.yml, relative to `dir` or absolute. */
  configPath?: string;
  /** Copy uncommitted changes into the rehearsal too (a git repository's HEAD otherwise). */
  workingTree?: boolean;
  /** Time limit for each job, in minutes; the pipeline's `ci.timeoutMinutes` when unset. */
  timeoutMinutes?: number;
  /** Lines of a failing command's output kept in the report. */
  tailLines?: number;
  /** Leave the temporary clone on disk (its path is in the report). */
  keep?: boolean;
  /** Environment the commands start from; `process.env` when unset. */
  env?: NodeJS.ProcessEnv;
  /** Told when a job starts and ends, for progress output. */
  onEvent?: (event: RehearsalEvent) => void;
}

export type RehearsalEvent =
  | { kind: "job-start"; job: string; name: string }
  | { kind: "job-end"; job: RehearsalJob }
  | { kind: "service"; service: ServiceReport };

export type JobId = "install" | CheckId;
export type JobStatus = "passed" | "failed" | "not-rehearsed";

export interface RehearsalJob {
  id: JobId;
  name: string;
  status: JobStatus;
  /** Why the job failed or was not rehearsed. */
  reason: string | null;
  durationMs: number;
  /** The commands the job runs, in order, as the generated workflow runs them. */
  commands: string[];
  /** The command that failed, with its exit code (null when it was killed). */
  failed: { command: string; exitCode: number | null; timedOut: boolean } | null;
  /** The last lines of the failing command's output, secrets redacted. */
  outputTail: string[];
  warnings: string[];
}

export interface ServiceReport {
  kind: ServiceKind;
  status: "started" | "missing" | "failed";
  /** Where the rehearsal's instance listened. */
  address: { host: string; port: number } | null;
  detail: string;
}

export interface ToolchainCheck {
  tool: string;
  wanted: string | null;
  found: string | null;
  ok: boolean;
  message: string | null;
}

export interface RehearsalReport {
  /** True when every job passed. */
  ok: boolean;
  source: {
    root: string;
    /** The commit rehearsed; null outside git. */
    commit: string | null;
    /** Files changed but not committed (left out unless `workingTree`). */
    uncommitted: string[];
    workingTree: boolean;
    kind: "git" | "copy";
  };
  config: string;
  appPath: string;
  /** The temporary clone; removed unless `keep`. */
  workspace: string;
  kept: boolean;
  timeoutMinutes: number;
  toolchain: ToolchainCheck[];
  services: ServiceReport[];
  jobs: RehearsalJob[];
  summary: { passed: number; failed: number; notRehearsed: number; durationMs: number };
  warnings: string[];
}
