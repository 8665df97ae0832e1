/**
 * bench: the local target's router.
 *
 * 1. Added latency: a tiny upstream called directly and through the router (releases a and
 *    b weighted 90/10, one instance each), each at a fixed 1,000 requests/s, alternating
 *    one-second blocks so that both paths see the same background load. Open
 *    loop: request i is due at start + i ms and is sent when it is due whatever the earlier
 *    ones are doing, so a stall of the router shows up in the tail instead of slowing the
 *    sender down (no coordinated omission). Latency runs from the moment a request is
 *    written to the moment its answer has been read. The sender sleeps on a timer between
 *    sends: a sender that spins for sub-millisecond precision takes one of a 2-core
 *    machine's cores away from the router and the instance it measures (measured: a full
 *    core at 1,000 req/s), and timer lateness is the sender's, not the router's.
 *    Keep-alive connections from one client process, through a lean client
 *    (keep-alive-client.ts: `http.request` cost the sender more CPU than the router and put
 *    its own jitter into both tails); p50/p99 and the difference.
 *    Measured twice: over the first 10 s of a just-started agent, and over 60 s after 20 s
 *    more of routed traffic. The steady state is the router's figure: a router runs for
 *    days. Its 60 s are also reported as three 20 s windows: a p99 is decided by the
 *    slowest 1% of requests, and on a shared VM those come in bursts that move over minutes
 *    (a single 30 s run of this bench has ranged from 0.57 to 1.30 ms added p99), so the
 *    spread of the windows says how far one figure can be trusted. The first figure is
 *    printed so that the warm-up is seen, not hidden. Most of it
 *    is the instances', not the router's: each instance is a fresh Node server whose code is
 *    not yet optimised, and release b gets only the router's 10% (none of the direct
 *    traffic), so it warms up last; with both instances warmed beforehand, the router's own
 *    warm-up took about 2 s. When nginx is installed it gets the same warm-up and then takes
 *    its turn in the same steady-state rotation (direct, router, nginx, a second each), so
 *    that both proxies are measured under the same background load: measured one after the
 *    other, minutes apart, their tails had moved with the machine, not with the proxies.
 * 2. Throughput: autocannon, closed loop, 32 keep-alive connections, 10 s, through the router
 *    and through nginx (one worker, the same two upstreams weighted 9:1, keepalive 32) when
 *    `nginx` is on PATH; otherwise that line says it was skipped. Also the agent's CPU time
 *    per routed request (Linux), which depends far less on what else the machine runs than
 *    latency does; the load average is printed for the same reason.
 *
 * Runs against the build, like bench:audit (`npm run build && npx tsx bench/deliver/router.ts`):
 * the agent is the real one, spawned from dist/ as the CLI spawns it (not through the
 * TypeScript loader), and the upstreams are its supervised instances.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { agentStatus, createLocalTarget, stopAgent } from "../../dist/deliver/targets/local/index.js";
import type { Target } from "../../dist/deliver/targets/types.js";
import { freePort } from "../../dist/net/free-port.js";
import { KeepAliveClient } from "./keep-alive-client.js";

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
const require = createRequire(import.meta.url);
const autocannon = require("autocannon") as (options: {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
}) => Promise<AutocannonResult>;

const RATE = 1_000;
const LATENCY_SECONDS = 60;
const LATENCY_WINDOWS = 3;
const COLD_SECONDS = 10;
const WARMUP_SECONDS = 20;
const THROUGHPUT_SECONDS = 10;
const CONNECTIONS = 32;

const UPSTREAM = `import { createServer } from "node:http";
const body = Buffer.from("ok\\n");
createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain", "content-length": body.length });
  res.end(body);
}).listen(Number(process.env.PORT), process.env.HOST);
process.on("SIGTERM", () => process.exit(0));
`;

export async function benchRouter(): Promise<{ lines: string[]; figures: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), "shipgate-bench-router-"));
  const stateDir = join(dir, ".shipgate");
  const lines: string[] = [];
  const figures: Record<string, number> = {};
  try {
    writeFileSync(join(dir, "upstream.mjs"), UPSTREAM);
    const port = await freePort();
    const target = createLocalTarget({ stateDir, env: "bench", port });
    await target.prepare();
    const spec = { source: dir, workdir: ".", start: "node upstream.mjs", instances: 1, healthPath: "/" };
    await target.startRelease({ id: "a", artifactId: "a", ...spec });
    await target.startRelease({ id: "b", artifactId: "b", ...spec });
    const [portA, portB] = await healthyPorts(target);
    await target.setWeights({ a: 90, b: 10 });
    const routerUrl = `http://127.0.0.1:${port}/`;
    const directUrl = `http://127.0.0.1:${portA}/`;

    figures.load_average = loadavg()[0]!;
    const cold = await alternatingLatency([directUrl, routerUrl], COLD_SECONDS);
    const [coldDirect, coldRouted] = cold.paths as [LatencyFigures, LatencyFigures];
    const coldAdded = addedBy(coldRouted, coldDirect);
    lines.push(
      `machine: load average ${figures.load_average.toFixed(2)} at the start of the latency run`,
      `latency at ${RATE} req/s (open loop, keep-alive), first ${COLD_SECONDS} s of a just-started agent:`,
      `  direct   ${latency(coldDirect)}`,
      `  router   ${latency(coldRouted)}`,
      `  added    ${p50p99(coldAdded)}`,
    );
    figures.cold_added_p50_ms = coldAdded.p50;
    figures.cold_added_p99_ms = coldAdded.p99;

    const nginxProxy = await startNginx(dir, portA, portB);
    try {
      if (nginxProxy) await warmUp(nginxProxy.url);
      await warmUp(routerUrl);
      const urls = [directUrl, routerUrl, ...(nginxProxy ? [nginxProxy.url] : [])];
      const steady = await alternatingLatency(urls, LATENCY_SECONDS, LATENCY_WINDOWS);
      const [direct, routed, viaNginx] = steady.paths as [LatencyFigures, LatencyFigures, LatencyFigures?];
      const byWindow = (path: number) =>
        `p99 by ${LATENCY_SECONDS / LATENCY_WINDOWS} s window: ${steady.windows.map((w) => ms(addedBy(w[path]!, w[0]!).p99)).join(" / ")}`;
      const routerAdded = addedBy(routed, direct);
      Object.assign(figures, {
        direct_p50_ms: direct.p50,
        direct_p99_ms: direct.p99,
        router_p50_ms: routed.p50,
        router_p99_ms: routed.p99,
        added_p50_ms: routerAdded.p50,
        added_p99_ms: routerAdded.p99,
      });
      lines.push(
        `latency at ${RATE} req/s for ${LATENCY_SECONDS} s after ${WARMUP_SECONDS} s more of warm-up (steady state; ${urls.length === 3 ? "direct, router and nginx" : "direct and router"} in turn, a second each):`,
        `  direct   ${latency(direct)}`,
        `  router   ${latency(routed)}`,
        ...(viaNginx ? [`  nginx    ${latency(viaNginx)}`] : []),
        `  added by the router  ${p50p99(routerAdded)}  (${byWindow(1)})`,
      );
      if (viaNginx) {
        const nginxAdded = addedBy(viaNginx, direct);
        figures.nginx_added_p50_ms = nginxAdded.p50;
        figures.nginx_added_p99_ms = nginxAdded.p99;
        lines.push(`  added by nginx       ${p50p99(nginxAdded)}  (${byWindow(2)})`);
      } else lines.push("  nginx    skipped: nginx is not on PATH");

      const agentPid = (await agentStatus({ stateDir })).pid!;
      const cpuBefore = cpuMs(agentPid);
      const viaRouter = await autocannon({
        url: routerUrl,
        connections: CONNECTIONS,
        duration: THROUGHPUT_SECONDS,
      });
      const cpuAfter = cpuMs(agentPid);
      figures.router_rps = viaRouter.requests.average;
      lines.push(
        `throughput (autocannon, ${CONNECTIONS} connections, ${THROUGHPUT_SECONDS} s, closed loop):`,
        `  router   ${rps(viaRouter)}`,
      );
      if (cpuBefore !== undefined && cpuAfter !== undefined && viaRouter.requests.total > 0) {
        figures.router_cpu_us_per_request = ((cpuAfter - cpuBefore) * 1000) / viaRouter.requests.total;
        lines.push(
          `  router CPU ${figures.router_cpu_us_per_request.toFixed(0)} µs per request (agent process)`,
        );
      }
      if (nginxProxy) {
        const nginx = await autocannon({
          url: nginxProxy.url,
          connections: CONNECTIONS,
          duration: THROUGHPUT_SECONDS,
        });
        figures.nginx_rps = nginx.requests.average;
        figures.router_to_nginx = viaRouter.requests.average / nginx.requests.average;
        lines.push(
          `  nginx    ${rps(nginx)}  (1 worker, weight 9:1, keepalive 32)`,
          `  router/nginx ${figures.router_to_nginx.toFixed(2)}`,
        );
      } else lines.push("  nginx    skipped: nginx is not on PATH");
    } finally {
      await nginxProxy?.stop();
    }
    return { lines, figures };
  } finally {
    await stopAgent({ stateDir });
    rmSync(dir, { recursive: true, force: true });
  }
}

async function healthyPorts(target: Target): Promise<[number, number]> {
  for (let i = 0; i < 200; i++) {
    const state = await target.state();
    const ports = state.releases.map((r) => r.instances.find((x) => x.state === "healthy")?.port);
    if (ports.length === 2 && ports.every((p) => p !== undefined)) return ports as [number, number];
    await sleep(50);
  }
  throw new Error("the bench upstreams did not become healthy");
}

/** WARMUP_SECONDS of traffic through a proxy before its steady state is measured. */
async function warmUp(url: string): Promise<void> {
  const client = new KeepAliveClient(new URL(url));
  await openLoop(client, WARMUP_SECONDS);
  client.close();
}

interface LatencyFigures {
  p50: number;
  p99: number;
  count: number;
  failed: number;
}

interface Sample {
  latencies: number[];
  failed: number;
}

/**
 * `seconds` one-second open-loop blocks of each URL in turn, after one block of each;
 * figures per URL over all of them and over each of `windows` equal stretches.
 */
async function alternatingLatency(urls: string[], seconds: number, windows = 1) {
  const clients = urls.map((url) => new KeepAliveClient(new URL(url)));
  for (const client of clients) await openLoop(client);
  const stretches: Sample[][] = [];
  for (let round = 0; round < seconds; round++) {
    if (round % Math.ceil(seconds / windows) === 0)
      stretches.push(urls.map(() => ({ latencies: [], failed: 0 })));
    const stretch = stretches.at(-1)!;
    for (const [i, client] of clients.entries()) {
      const block = await openLoop(client);
      stretch[i]!.latencies.push(...block.latencies);
      stretch[i]!.failed += block.failed;
    }
  }
  for (const client of clients) client.close();
  const pooled = (i: number): Sample => ({
    latencies: stretches.flatMap((s) => s[i]!.latencies),
    failed: stretches.reduce((sum, s) => sum + s[i]!.failed, 0),
  });
  return {
    paths: urls.map((_, i) => quantiles(pooled(i))),
    windows: stretches.map((stretch) => stretch.map(quantiles)),
  };
}

function quantiles(sample: Sample): LatencyFigures {
  const sorted = [...sample.latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), count: sorted.length, failed: sample.failed };
}

/** `seconds` of requests at RATE, each sent when due whatever the answers do. */
async function openLoop(
  client: KeepAliveClient,
  seconds = 1,
): Promise<{ latencies: number[]; failed: number }> {
  const total = RATE * seconds;
  const latencies = new Array<number>(total).fill(0);
  let done = 0;
  let failed = 0;
  let sent = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const complete = () => {
    if (++done === total) finished();
  };
  const send = (index: number) => {
    const sentAt = performance.now();
    client.get((status) => {
      latencies[index] = performance.now() - sentAt;
      if (status !== 200) failed++;
      complete();
    });
  };
  const start = performance.now();
  const interval = 1_000 / RATE;
  const tick = () => {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) send(sent++);
    if (sent >= total) return;
    // A timer, never a spin (see the top of this file): what is due by the time it fires
    // goes out together.
    setTimeout(tick, Math.max(0, Math.floor(start + sent * interval - performance.now())));
  };
  tick();
  await all;
  return { latencies, failed };
}

/** nginx with the same two weighted upstreams, when it is installed; `stop()` ends it. */
async function startNginx(
  dir: string,
  portA: number,
  portB: number,
): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  if (spawnSync("nginx", ["-v"], { stdio: "ignore" }).error) return undefined;
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "nginx-error.log")} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, "nginx-body")};
  proxy_temp_path ${join(dir, "nginx-proxy")};
  fastcgi_temp_path ${join(dir, "nginx-fastcgi")};
  uwsgi_temp_path ${join(dir, "nginx-uwsgi")};
  scgi_temp_path ${join(dir, "nginx-scgi")};
  upstream app {
    server 127.0.0.1:${portA} weight=9;
    server 127.0.0.1:${portB} weight=1;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const nginx = spawn(
    "nginx",
    ["-p", dir, "-e", join(dir, "nginx-error.log"), "-c", conf, "-g", "daemon off;"],
    {
      stdio: "ignore",
    },
  );
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (nginx.exitCode === null) {
      nginx.kill("SIGQUIT");
      await once(nginx, "exit");
    }
  };
  try {
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const req = request(url, { agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.once("error", () => resolve(false));
        req.end();
      });
      if (up) break;
      if (i > 100 || nginx.exitCode !== null)
        throw new Error(`nginx did not start; see ${dir}/nginx-error.log`);
      await sleep(50);
    }
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** User + system CPU time of a process in ms, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    const perSecond = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
    return (ticks * 1000) / perSecond;
  } catch {
    return undefined;
  }
}

function latency(path: LatencyFigures): string {
  return `p50 ${ms(path.p50)}  p99 ${ms(path.p99)}  (${path.count} requests, ${path.failed} failed)`;
}

/** What a proxy adds to calling the instance directly, at p50 and at p99. */
function addedBy(path: LatencyFigures, direct: LatencyFigures): { p50: number; p99: number } {
  return { p50: path.p50 - direct.p50, p99: path.p99 - direct.p99 };
}

function p50p99(figures: { p50: number; p99: number }): string {
  return `p50 ${ms(figures.p50)}  p99 ${ms(figures.p99)}`;
}

function ms(value: number): string {
  return `${value.toFixed(3)} ms`;
}

function rps(result: AutocannonResult): string {
  const bad = result.non2xx + result.errors;
  return `${Math.round(result.requests.average)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms${bad ? `  (${bad} not 2xx)` : ""}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { lines } = await benchRouter();
  for (const line of lines) console.log(line);
}
