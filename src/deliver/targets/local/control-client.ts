import { request } from "node:http";
import { ShipgateError } from "../../../errors.js";
import type { ReleaseCounters } from "../../analysis/types.js";
import type { EnvironmentState, ReleaseSpec } from "../types.js";
import type { ControlErrorBody, HealthBody } from "./protocol.js";

export interface ControlClientOptions {
  port: number;
  token: string;
  /** Per request; stopping a release waits for its instances to drain. Default 60 s. */
  timeoutMs?: number;
}

export interface MetricsBody {
  at: number;
  releases: Record<string, ReleaseCounters>;
}

/** Typed calls on an agent's control API. Errors are `ShipgateError`s carrying the agent's code. */
export class ControlClient {
  constructor(private readonly options: ControlClientOptions) {}

  health(timeoutMs?: number): Promise<HealthBody> {
    return this.call("GET", "/health", undefined, timeoutMs);
  }

  ensureEnvironment(
    env: string,
    port: number,
    options: { releaseHeader?: boolean } = {},
  ): Promise<EnvironmentState> {
    return this.call("PUT", envPath(env), { port, ...options });
  }

  state(env: string): Promise<EnvironmentState> {
    return this.call("GET", envPath(env));
  }

  startRelease(env: string, spec: ReleaseSpec): Promise<EnvironmentState> {
    return this.call("POST", `${envPath(env)}/releases`, spec);
  }

  scaleRelease(env: string, id: string, instances: number): Promise<EnvironmentState> {
    return this.call("POST", `${envPath(env)}/releases/${encodeURIComponent(id)}/scale`, { instances });
  }

  setWeights(env: string, weights: Record<string, number>): Promise<EnvironmentState> {
    return this.call("PUT", `${envPath(env)}/weights`, { weights });
  }

  stopRelease(env: string, id: string, afterMs?: number): Promise<EnvironmentState> {
    const body = afterMs === undefined ? {} : { afterMs };
    return this.call("POST", `${envPath(env)}/releases/${encodeURIComponent(id)}/stop`, body);
  }

  metrics(env: string, releaseIds: readonly string[]): Promise<MetricsBody> {
    const query = releaseIds.map((id) => `release=${encodeURIComponent(id)}`).join("&");
    return this.call("GET", `${envPath(env)}/metrics${query ? `?${query}` : ""}`);
  }

  /** Resolves once the agent has drained everything; it exits right after. */
  shutdown(): Promise<{ ok: true }> {
    return this.call("POST", "/shutdown", undefined, 120_000);
  }

  private call<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const timeout = timeoutMs ?? this.options.timeoutMs ?? 60_000;
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: this.options.port,
          method,
          path,
          agent: false,
          timeout,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            ...(payload !== undefined && {
              "content-type": "application/json",
              "content-length": Buffer.byteLength(payload),
            }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", (error) => reject(unreachable(method, path, error)));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            if (res.statusCode === 200) return resolve(parsed as T);
            const error = parsed as Partial<ControlErrorBody> | undefined;
            reject(
              new ShipgateError(
                {
                  code: error?.code ?? "local/agent-error",
                  message: error?.error ?? `agent answered ${res.statusCode} to ${method} ${path}`,
                },
                { exitCode: res.statusCode !== undefined && res.statusCode < 500 ? 2 : 1 },
              ),
            );
          });
        },
      );
      req.once("timeout", () => req.destroy(new Error(`no answer within ${timeout} ms`)));
      req.once("error", (error) => reject(unreachable(method, path, error)));
      req.end(payload);
    });
  }
}

function envPath(env: string): string {
  return `/environments/${encodeURIComponent(env)}`;
}

function unreachable(method: string, path: string, error: Error): ShipgateError {
  return new ShipgateError(
    {
      code: "local/agent-unreachable",
      message: `the shipgate agent did not answer ${method} ${path}: ${error.message}`,
      hint: "see .shipgate/agent/agent.log; `shipgate agent status` tells whether it runs",
    },
    { exitCode: 1 },
  );
}
