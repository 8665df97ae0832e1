/**
 * Counts the Kubernetes API requests a deployment makes, by step, without changing shipgate:
 * the kubernetes target sends every request through `https.request` (src/deliver/targets/
 * kubernetes/api.ts), so the bench wraps that function and counts the requests made inside
 * `counter.run(...)` only. The bench's own watches and reads run outside it and are not counted.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import https from "node:https";

/** `get deployments`, `update httproutes`, … → how many. */
export type CallCounts = Map<string, number>;

export interface ApiCallCounter {
  /** Runs `body`; the API requests it makes are counted under the current step. */
  run<T>(body: () => Promise<T>): Promise<T>;
  /** Where the requests that follow are counted. */
  step(label: string): void;
  /** The counts of the last `run`, by step in the order the steps came. */
  readonly steps: Map<string, CallCounts>;
}

const active = new AsyncLocalStorage<{ count(host: string, method: string, path: string): void }>();
let installed = false;

export function apiCallCounter(apiServer: string): ApiCallCounter {
  install();
  const server = new URL(apiServer);
  let steps = new Map<string, CallCounts>();
  let current = "before the steps";
  const counting = {
    count(host: string, method: string, path: string) {
      // Only the API server's requests (the Prometheus provider's queries go by fetch anyway).
      if (host !== server.host) return;
      const calls = steps.get(current) ?? new Map<string, number>();
      steps.set(current, calls);
      const key = describeCall(method, path);
      calls.set(key, (calls.get(key) ?? 0) + 1);
    },
  };
  return {
    run(body) {
      steps = new Map();
      current = "before the steps";
      return active.run(counting, body);
    },
    step(label) {
      current = label;
      // A step that makes no request is listed too, with none.
      if (!steps.has(label)) steps.set(label, new Map());
    },
    get steps() {
      return steps;
    },
  };
}

/** `GET …/deployments/orders` → `get deployments`; a GET of a collection is a `list`. */
export function describeCall(method: string, path: string): string {
  const segments = path.split("?")[0]!.split("/").filter(Boolean);
  const at = segments.indexOf("namespaces");
  // Namespaced: …/namespaces/<ns>/<resource>[/<name>]; cluster-wide: …/<resource>[/<name>].
  const rest = at >= 0 && segments.length > at + 2 ? segments.slice(at + 2) : segments.slice(-1);
  const resource = rest[0] ?? "?";
  const named = rest.length > 1;
  const verb =
    method === "GET"
      ? named
        ? "get"
        : "list"
      : method === "POST"
        ? "create"
        : method === "PUT"
          ? "update"
          : method.toLowerCase();
  return `${verb} ${resource}`;
}

function install(): void {
  if (installed) return;
  installed = true;
  const original = https.request;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const counting = active.getStore();
    if (counting) {
      const [first, second] = args;
      const url = typeof first === "string" ? new URL(first) : first instanceof URL ? first : undefined;
      const options = (url ? second : first) as
        | { method?: string; path?: string; host?: string; hostname?: string; port?: number | string }
        | undefined;
      const method = (options && typeof options === "object" && options.method) || "GET";
      const path = url ? `${url.pathname}${url.search}` : (options?.path ?? "/");
      const host = url
        ? url.host
        : `${options?.hostname ?? options?.host ?? "localhost"}${options?.port ? `:${options.port}` : ""}`;
      counting.count(host, method.toUpperCase(), path);
    }
    return (original as (...a: unknown[]) => ReturnType<typeof https.request>).apply(this, args);
  };
  (https as unknown as { request: unknown }).request = wrapped;
}
