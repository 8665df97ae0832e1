/**
 * A real Prometheus (Debian's `prometheus` package) for the metrics-path tests: its own config
 * file and TSDB in a temporary directory, a free loopback port, scraping every second. And the
 * sample service as real processes for it to scrape.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { SAMPLE_APP_DIR } from "../../../src/demo/sample-repo.js";
import { freePort } from "../../../src/net/free-port.js";

/** The binary, or undefined when the package is not installed. */
export function prometheusBinary(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v prometheus"], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

/**
 * `describe` that needs a real Prometheus: under CI a missing binary fails (a pipeline must
 * never pass by skipping); elsewhere the block is skipped with the reason.
 */
export function describeWithPrometheus(name: string, body: (binary: string) => void): void {
  const binary = prometheusBinary();
  if (binary) {
    describe(name, () => body(binary));
  } else if (process.env.CI) {
    describe(name, () => {
      it("has Prometheus to test against", () => {
        throw new Error(
          "prometheus is not on PATH: .ci/run installs Debian's prometheus package (apt-get install prometheus)",
        );
      });
    });
  } else {
    describe.skip(`${name} (prometheus is not installed: apt-get install prometheus; .ci/run installs it)`, () => {
      it("needs prometheus", () => {});
    });
  }
}

export interface PrometheusServer {
  url: string;
  dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s); its data stays for a restart. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data; resolves once its static targets are up. */
  restart(): Promise<void>;
  /**
   * Freezes the process (SIGSTOP): the kernel still accepts connections on its port, and nothing
   * answers them, as with a server stuck in a long query or garbage collection.
   */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
  /** Stops it and removes its directory. */
  cleanup(): Promise<void>;
}

export interface ScrapeJobs {
  /** `host:port` → labels: scraped as listed. */
  static?: Array<{ target: string; labels: Record<string, string> }>;
  /** Files of target groups (file_sd_configs), re-read as they change. */
  files?: string[];
}

/** Starts Prometheus scraping `jobs` every second; resolves once it is ready and its static targets are up. */
export async function startPrometheus(options: {
  binary: string;
  jobs: ScrapeJobs;
  /** A port chosen beforehand (when a shipgate.yml must name the URL first); default a free one. */
  port?: number;
}): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), "shipgate-prometheus-"));
  const port = options.port ?? (await freePort());
  const configFile = join(dir, "prometheus.yml");
  await writeFile(configFile, prometheusConfig(options.jobs));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    output = "";
    child = spawn(
      options.binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--storage.tsdb.retention.time=1h",
        "--log.level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    const exited = once(child, "exit");
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited at start:\n${output}`);
      try {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await exited;
        throw new Error(`prometheus was not ready within 30 s:\n${output}`);
      }
      await sleep(100);
    }
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, "exit");
    // A paused process would hold SIGTERM until it runs again.
    running.kill("SIGCONT");
    running.kill("SIGTERM");
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  // Discovery hands targets to the scrape loops in batches every 5 s: wait for the first scrapes.
  const startScraping = async () => {
    await start();
    if (options.jobs.static?.length) await waitForTargets(url, options.jobs.static.length);
  };
  await startScraping();
  return {
    url,
    dir,
    stop,
    restart: startScraping,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    async cleanup() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until at least `count` targets have been scraped successfully. */
export async function waitForTargets(url: string, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/api/v1/targets?state=active`).catch(() => undefined);
    const body = (await res?.json().catch(() => undefined)) as
      | { data?: { activeTargets?: Array<{ health: string }> } }
      | undefined;
    const up = body?.data?.activeTargets?.filter((t) => t.health === "up").length ?? 0;
    if (up >= count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${up} of ${count} targets were up after ${timeoutMs} ms`);
    await sleep(200);
  }
}

function prometheusConfig(jobs: ScrapeJobs): string {
  const lines = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "  evaluation_interval: 1s",
    "scrape_configs:",
  ];
  if (jobs.static?.length) {
    lines.push("  - job_name: static", "    static_configs:");
    for (const { target, labels } of jobs.static) {
      lines.push(`      - targets: [${JSON.stringify(target)}]`, `        labels: ${JSON.stringify(labels)}`);
    }
  }
  if (jobs.files?.length) {
    lines.push(
      "  - job_name: files",
      "    file_sd_configs:",
      `      - files: ${JSON.stringify(jobs.files)}`,
      "        refresh_interval: 1s",
    );
  }
  return `${lines.join("\n")}\n`;
}

export interface SampleProcess {
  port: number;
  url: string;
  /** SIGTERM (the service drains), then resolves when it has exited. */
  stop(): Promise<void>;
  /** Stops it and starts it again on the same port: a new process whose counters begin at zero. */
  restart(): Promise<void>;
}

/** One process of the sample service, with its faults; resolves once /health answers. */
export async function startSampleProcess(options: {
  version: string;
  errorRate?: number;
  latencyMs?: number;
  port?: number;
}): Promise<SampleProcess> {
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  const url = `http://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn(process.execPath, ["server.js"], {
      cwd: SAMPLE_APP_DIR,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        APP_VERSION: options.version,
        FAULT_ERROR_RATE: String(options.errorRate ?? 0),
        FAULT_LATENCY_MS: String(options.latencyMs ?? 0),
        DRAIN_TIMEOUT_MS: "2000",
      },
      stdio: "ignore",
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) })).ok) return;
      } catch {
        // Not listening yet.
      }
      if (child.exitCode !== null) throw new Error(`the sample service exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error("the sample service did not answer /health within 10 s");
      await sleep(50);
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, "exit");
    running.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    port,
    url,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}

/** Waits until Prometheus has scraped at least twice more: what was served before is then in it. */
export function afterScrapes(): Promise<void> {
  return sleep(2500);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
