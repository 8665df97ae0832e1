import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { z } from "zod";
import { isShipgateError } from "../../../errors.js";
import type { Agent } from "./agent.js";
import type { AgentLog } from "./agent-log.js";
import {
  EnsureEnvironmentBody,
  type HealthBody,
  IdSchema,
  ReleaseSpecBody,
  ScaleBody,
  StopReleaseBody,
  WeightsBody,
} from "./protocol.js";

const MAX_BODY_BYTES = 1024 * 1024;

export interface ControlServerOptions {
  agent: Agent;
  token: string;
  log: AgentLog;
  /** Stops the agent; the shutdown request is answered once it has finished. */
  onShutdown: () => Promise<void>;
}

/** An error the API answers with its own status; everything else is a 500. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The agent's control API (see protocol.ts for the routes). Loopback only, bearer token. */
export function createControlServer(options: ControlServerOptions): Server {
  const expected = digest(options.token);
  const server = createServer((req, res) => {
    if (!authorized(req, expected)) {
      send(res, 401, { error: "missing or wrong bearer token", code: "local/unauthorized" });
      req.resume();
      return;
    }
    route(req, options)
      .then(async (body) => {
        // A change is answered once it is on disk: an agent killed right after the answer must
        // leave the next one what the command was told (the weights a canary step set).
        if (req.method !== "GET") await options.agent.stateFile.flushed();
        send(res, 200, body ?? { ok: true });
      })
      .catch((error: unknown) => {
        if (error instanceof HttpError)
          return send(res, error.status, { error: error.message, code: error.code });
        if (isShipgateError(error)) {
          const status = error.code.endsWith("unknown-environment") ? 404 : 400;
          return send(res, status, { error: error.message, code: error.code });
        }
        const message = error instanceof Error ? error.message : String(error);
        options.log("error", "control request failed", { method: req.method, url: req.url, error: message });
        send(res, 500, { error: message, code: "local/internal" });
      });
  });
  // Only shipgate commands talk to it: a few connections at a time, none kept long.
  server.maxConnections = MAX_CONTROL_CONNECTIONS;
  server.keepAliveTimeout = 1_000;
  server.headersTimeout = 10_000;
  return server;
}

const MAX_CONTROL_CONNECTIONS = 64;

async function route(req: IncomingMessage, options: ControlServerOptions): Promise<unknown> {
  const { agent } = options;
  const url = new URL(req.url ?? "/", "http://agent");
  const parts = url.pathname.split("/").filter(Boolean).map(decodePathSegment);
  const method = req.method ?? "GET";

  if (parts.length === 1 && parts[0] === "health" && method === "GET") {
    return {
      ok: true,
      pid: process.pid,
      startedAt: agent.startedAt,
      environments: agent.environmentNames,
    } satisfies HealthBody;
  }
  if (parts.length === 1 && parts[0] === "shutdown" && method === "POST") {
    await options.onShutdown();
    return { ok: true };
  }
  if (parts[0] !== "environments" || parts[1] === undefined) throw notFound(method, url.pathname);
  const env = parse(IdSchema, parts[1], "environment");
  const rest = parts.slice(2).join("/");

  if (rest === "" && method === "PUT") {
    const { port, releaseHeader } = parse(EnsureEnvironmentBody, await readJson(req));
    return agent.ensureEnvironment(env, port, { releaseHeader: releaseHeader ?? false });
  }
  if (rest === "" && method === "GET") return agent.state(env);
  if (rest === "releases" && method === "POST") {
    await agent.environment(env).startRelease(parse(ReleaseSpecBody, await readJson(req)));
    return agent.state(env);
  }
  if (rest === "weights" && method === "PUT") {
    agent.environment(env).setWeights(parse(WeightsBody, await readJson(req)).weights);
    return agent.state(env);
  }
  if (rest === "metrics" && method === "GET") {
    const ids = url.searchParams.getAll("release").map((id) => parse(IdSchema, id, "release"));
    return { at: Date.now(), releases: agent.metrics(env, ids) };
  }
  const action = /^releases\/([^/]+)\/(scale|stop)$/.exec(rest);
  if (action && method === "POST") {
    const id = parse(IdSchema, action[1], "release");
    const supervisor = agent.environment(env);
    if (action[2] === "scale") {
      await supervisor.scaleRelease(id, parse(ScaleBody, await readJson(req)).instances);
    } else {
      await supervisor.stopRelease(id, parse(StopReleaseBody, await readJson(req)).afterMs);
    }
    return agent.state(env);
  }
  throw notFound(method, url.pathname);
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(
      400,
      "local/bad-request",
      `the path segment "${segment}" is not valid percent-encoding`,
    );
  }
}

function notFound(method: string, path: string): HttpError {
  return new HttpError(404, "local/not-found", `no route ${method} ${path}`);
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what = "body"): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || what}: ${i.message}`).join("; ");
    throw new HttpError(400, "local/bad-request", `invalid ${what}: ${issues}`);
  }
  return result.data;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "local/too-large", "request body over 1 MiB");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "local/bad-request", "request body is not JSON");
  }
}

/** Hashing both sides gives equal lengths, so the comparison takes the same time for any input. */
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer (.+)$/.exec(header);
  return timingSafeEqual(digest(match?.[1] ?? ""), expected) && match !== null;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
