/**
 * The sample service on the local target for the end-to-end delivery benches: a git repo
 * with the given strategy and analysis, one artifact per release, the first one deployed,
 * and steady load through the router until `finish()`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRelease } from "../../src/deliver/build.js";
import { deploy } from "../../src/deliver/deploy.js";
import { generateLoad, type LoadSummary } from "../../src/deliver/load.js";
import { stopAgent } from "../../src/deliver/targets/local/index.js";
import {
  commitSampleRelease,
  createSampleRepo,
  type SampleRelease,
  sampleConfig,
} from "../../src/demo/sample-repo.js";
import { freePort } from "../../src/net/free-port.js";

export interface SampleService {
  dir: string;
  stateDir: string;
  /** One per release asked for, in order; the first is live. */
  artifacts: string[];
  /** Stops the load and returns what it saw. */
  finish(): Promise<LoadSummary>;
  /** Stops the agent and removes the repository. */
  close(): Promise<void>;
}

export async function startSampleService(options: {
  strategy: string;
  analysis: string;
  releases: SampleRelease[];
  rps: number;
}): Promise<SampleService> {
  const dir = await mkdtemp(join(tmpdir(), "shipgate-bench-service-"));
  const stateDir = join(dir, ".shipgate");
  const close = async () => {
    await stopAgent({ stateDir }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    await createSampleRepo({
      dir,
      config: sampleConfig({ port, strategy: options.strategy, analysis: options.analysis }),
    });
    const artifacts: string[] = [];
    for (const release of options.releases) {
      await commitSampleRelease({ dir, release });
      artifacts.push((await buildRelease({ cwd: dir })).artifact.id);
    }
    const first = await deploy({
      env: "production",
      artifact: artifacts[0]!,
      cwd: dir,
      requestedBy: "bench",
    });
    if (!first.ok) throw new Error(`the first release did not deploy: ${first.reason}`);
    const traffic = new AbortController();
    const load = generateLoad({
      url: `http://127.0.0.1:${port}`,
      rps: options.rps,
      maxDurationMs: 3_600_000,
      signal: traffic.signal,
    });
    const finish = () => {
      traffic.abort();
      return load;
    };
    return {
      dir,
      stateDir,
      artifacts,
      finish,
      close: async () => {
        await finish();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
