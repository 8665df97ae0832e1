import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gitText } from "../deliver/git.js";

export const SAMPLE_APP_DIR = fileURLToPath(new URL("../../examples/sample-app", import.meta.url));

/** What one release of the sample service carries: its version and, for a bad one, its bug. */
export interface SampleRelease {
  version: string;
  /** Share of requests answered 500. */
  errorRate?: number;
  /** Delay added to every request, ms. */
  latencyMs?: number;
  /** `/health` answers 503. */
  healthFails?: boolean;
  /** The orders API answers an empty list: the smoke file catches it. */
  brokenOrders?: boolean;
}

/** Identity for commits in throwaway repositories, so no global git configuration is needed. */
const GIT_IDENTITY = ["-c", "user.name=shipgate demo", "-c", "user.email=demo@shipgate.invalid"];

/** Copies the sample service into `dir`, writes `config` (if given) as shipgate.yml and makes it a git repository. */
export async function createSampleRepo(options: { dir: string; config?: string }): Promise<void> {
  const { dir } = options;
  await cp(SAMPLE_APP_DIR, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  if (options.config) await writeFile(join(dir, "shipgate.yml"), options.config);
  await writeFile(join(dir, ".gitignore"), "node_modules/\n.shipgate/\n");
  await gitText(["init", "-q", "-b", "main"], { cwd: dir });
}

/** Commits one release of the sample service; returns the commit. */
export async function commitSampleRelease(options: { dir: string; release: SampleRelease }): Promise<string> {
  const { dir, release } = options;
  const pkgPath = join(dir, "package.json");
  const pkg = JSON.parse(await readFile(pkgPath, "utf8"));
  pkg.version = release.version;
  await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  const faults = {
    errorRate: release.errorRate ?? 0,
    latencyMs: release.latencyMs ?? 0,
    health: release.healthFails ? "fail" : "ok",
  };
  await writeFile(join(dir, "faults.json"), `${JSON.stringify(faults)}\n`);
  const appPath = join(dir, "app.js");
  const app = await readFile(join(SAMPLE_APP_DIR, "app.js"), "utf8");
  const broken = "{ orders: [], count: 0 }";
  await writeFile(
    appPath,
    release.brokenOrders ? app.replace("{ orders: ORDERS, count: ORDERS.length }", broken) : app,
  );
  if (release.brokenOrders && !(await readFile(appPath, "utf8")).includes(broken)) {
    throw new Error("the sample app's orders route changed: update commitSampleRelease");
  }
  await gitText(["add", "-A"], { cwd: dir });
  await gitText([...GIT_IDENTITY, "commit", "-q", "--allow-empty", "-m", `release ${release.version}`], {
    cwd: dir,
  });
  return gitText(["rev-parse", "HEAD"], { cwd: dir });
}

/** shipgate.yml for the sample service on the local target. */
export function sampleConfig(options: {
  port: number;
  instances?: number;
  strategy: string;
  env?: string;
  analysis?: string;
  /** Deadline of health, readiness and smoke checks. Default 20. */
  timeoutSeconds?: number;
  extra?: string;
}): string {
  const env = options.env ?? "production";
  return `version: 1
app:
  name: sample-app
  language: node
  start: node server.js
  healthPath: /health
  readyPath: /ready
environments:
  ${env}:
    target: { type: local, port: ${options.port}, instances: ${options.instances ?? 2} }
    strategy: ${options.strategy}
    verify: { smoke: smoke.yml, timeoutSeconds: ${options.timeoutSeconds ?? 20} }
${options.analysis ? `    analysis: ${options.analysis}\n` : ""}${options.extra ?? ""}`;
}
