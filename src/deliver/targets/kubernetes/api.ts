import http from "node:http";
import https from "node:https";
import { inputError, ShipgateError } from "../../../errors.js";
import { FIELD_MANAGER } from "./names.js";

/**
 * The few calls the kubernetes target makes, over `@kubernetes/client-node` (loaded lazily, so
 * commands that never touch a cluster never load it). Every write is a create or a replace
 * that carries the object's resourceVersion: the API server refuses it with 409 Conflict when
 * someone changed the object since it was read, and the caller reads again and re-decides —
 * nothing is overwritten blindly. Transient failures (connection refused or reset, 429, 5xx)
 * are retried with back-off for `retryBudgetMs`; past it the call fails with
 * `kubernetes/unreachable`. Forbidden and unauthorized answers become errors that say which
 * verb on which resource to grant.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<Record<string, unknown>>;
    deletionTimestamp?: unknown;
    [key: string]: unknown;
  };
  // biome-ignore lint/suspicious/noExplicitAny: objects of many kinds pass through; each caller reads its own shape
  [key: string]: any;
}

export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
}

export interface KubeApi {
  /** The API server's URL, for messages. */
  readonly server: string;
  readonly namespace: string;
  read<T extends KubeObject>(apiVersion: string, kind: string, name: string): Promise<T | undefined>;
  /** Creates the object; `undefined` when one of that name exists already (the caller reads it). */
  create<T extends KubeObject>(object: T): Promise<T | undefined>;
  /** Replaces the object at its resourceVersion; throws `ConflictError` when it changed since. */
  replace<T extends KubeObject>(object: T): Promise<T>;
  /** Deletes the object (its dependents in the background); one already gone is fine. */
  remove(apiVersion: string, kind: string, name: string): Promise<void>;
  list<T extends KubeObject>(apiVersion: string, kind: string, labelSelector?: string): Promise<T[]>;
  /** Of the checks, those the credentials may not do in the namespace. */
  cannot(checks: AccessCheck[]): Promise<AccessCheck[]>;
}

/** The object changed between our read and our write: read it again. */
export class ConflictError extends Error {
  constructor(readonly what: string) {
    super(`${what} changed while shipgate was writing it`);
    this.name = "ConflictError";
  }
}

export interface KubeApiOptions {
  namespace: string;
  /** A kubeconfig context; default the current one (or the in-cluster config). */
  context?: string;
  /** A kubeconfig file; default KUBECONFIG, ~/.kube/config, then in-cluster. */
  kubeconfigPath?: string;
  /** How long transient failures are retried before a call fails. Default 30 s. */
  retryBudgetMs?: number;
}

const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

export async function connectKube(options: KubeApiOptions): Promise<KubeApi> {
  const k8s = await import("@kubernetes/client-node");
  const config = new k8s.KubeConfig();
  try {
    if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath);
    else config.loadFromDefault();
  } catch (error) {
    throw inputError("kubernetes/no-config", `cannot read the kubeconfig: ${(error as Error).message}`, {
      hint: "set KUBECONFIG to a kubeconfig file, or run inside the cluster with a service account",
    });
  }
  if (options.context) {
    if (!config.getContexts().some((c) => c.name === options.context)) {
      throw inputError("kubernetes/unknown-context", `the kubeconfig has no context "${options.context}"`, {
        hint: `contexts: ${config
          .getContexts()
          .map((c) => c.name)
          .join(", ")}`,
      });
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw inputError("kubernetes/no-config", "the kubeconfig names no cluster for the current context", {
      hint: "set KUBECONFIG, or target.context in shipgate.yml",
    });
  }
  const { namespace } = options;
  const budgetMs = options.retryBudgetMs ?? 30_000;
  const server = cluster.server.replace(/\/+$/, "");

  /**
   * One request as raw JSON. Objects go to the API server exactly as they were read, changed
   * only where shipgate changes them: a typed model would drop fields newer than the client's.
   * Credentials (certificates, tokens, exec plugins) are applied by the client's KubeConfig.
   */
  async function request(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = new URL(`${server}${path}`);
    const opts: https.RequestOptions = {
      method,
      headers: {
        accept: "application/json",
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      timeout: 30_000,
    };
    await config.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const send = url.protocol === "http:" ? http.request : https.request;
      const req = send(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON (a proxy's error page): kept as text for the message.
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(parsed);
          else reject(Object.assign(new Error(`HTTP ${status}`), { code: status, body: parsed }));
        });
      });
      req.on("timeout", () =>
        req.destroy(Object.assign(new Error("request timed out"), { code: "ETIMEDOUT" })),
      );
      req.on("error", reject);
      if (body !== undefined) req.write(JSON.stringify(body));
      req.end();
    });
  }

  async function call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    const started = Date.now();
    let delay = 200;
    for (;;) {
      try {
        return await operation();
      } catch (error) {
        const status = statusOf(error);
        const transient = status !== undefined ? TRANSIENT_STATUS.has(status) : isNetworkError(error);
        if (!transient) throw translate(error, what, { server, namespace });
        if (Date.now() - started + delay > budgetMs) {
          throw new ShipgateError(
            {
              code: "kubernetes/unreachable",
              message: `the API server at ${server} did not answer ${what} for ${Math.round((Date.now() - started) / 1000)}s: ${causeText(error)}`,
              hint: "check that the cluster is up and reachable from here (network, VPN, kubeconfig server address)",
            },
            { exitCode: 1 },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  const collection = (apiVersion: string, kind: string) => {
    const plural = PLURALS[`${apiVersion}/${kind}`];
    if (!plural) throw new Error(`the kubernetes target does not know the resource of ${apiVersion} ${kind}`);
    return `${apiVersion.includes("/") ? "/apis" : "/api"}/${apiVersion}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  };
  const item = (apiVersion: string, kind: string, name: string) =>
    `${collection(apiVersion, kind)}/${encodeURIComponent(name)}`;
  const manager = `fieldManager=${FIELD_MANAGER}`;

  return {
    server,
    namespace,
    async read<T extends KubeObject>(apiVersion: string, kind: string, name: string) {
      try {
        return (await call(`get ${kind}/${name}`, () => request("GET", item(apiVersion, kind, name)))) as T;
      } catch (error) {
        if (error instanceof ShipgateError && error.code === "kubernetes/not-found") return undefined;
        throw error;
      }
    },
    async create<T extends KubeObject>(object: T) {
      try {
        return (await call(`create ${object.kind}/${object.metadata.name}`, () =>
          request("POST", `${collection(object.apiVersion, object.kind)}?${manager}`, {
            ...object,
            metadata: { ...object.metadata, namespace },
          }),
        )) as T;
      } catch (error) {
        if (error instanceof ShipgateError && error.code === "kubernetes/already-exists") return undefined;
        throw error;
      }
    },
    async replace<T extends KubeObject>(object: T) {
      if (!object.metadata.resourceVersion) {
        throw new Error(`replacing ${object.kind}/${object.metadata.name} without its resourceVersion`);
      }
      try {
        return (await call(`update ${object.kind}/${object.metadata.name}`, () =>
          request("PUT", `${item(object.apiVersion, object.kind, object.metadata.name)}?${manager}`, object),
        )) as T;
      } catch (error) {
        if (error instanceof ShipgateError && error.code === "kubernetes/conflict") {
          throw new ConflictError(`${object.kind}/${object.metadata.name}`);
        }
        throw error;
      }
    },
    async remove(apiVersion: string, kind: string, name: string) {
      try {
        await call(`delete ${kind}/${name}`, () =>
          request("DELETE", item(apiVersion, kind, name), {
            apiVersion: "v1",
            kind: "DeleteOptions",
            propagationPolicy: "Background",
          }),
        );
      } catch (error) {
        if (error instanceof ShipgateError && error.code === "kubernetes/not-found") return;
        throw error;
      }
    },
    async list<T extends KubeObject>(apiVersion: string, kind: string, labelSelector?: string) {
      const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
      const result = (await call(`list ${kind}`, () =>
        request("GET", `${collection(apiVersion, kind)}${query}`),
      )) as {
        items?: T[];
      };
      return result.items ?? [];
    },
    async cannot(checks: AccessCheck[]) {
      const missing: AccessCheck[] = [];
      for (const check of checks) {
        const review = (await call("create selfsubjectaccessreviews", () =>
          request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectAccessReview",
            spec: { resourceAttributes: { namespace, ...check } },
          }),
        )) as { status?: { allowed?: boolean } };
        if (!review.status?.allowed) missing.push(check);
      }
      return missing;
    },
  };
}

/** The resources the target touches, by apiVersion/kind: no discovery round-trip needed. */
const PLURALS: Record<string, string> = {
  "apps/v1/Deployment": "deployments",
  "v1/Service": "services",
  "v1/Pod": "pods",
  "gateway.networking.k8s.io/v1/HTTPRoute": "httproutes",
  "networking.istio.io/v1/VirtualService": "virtualservices",
};

/** Retries until `attempt` writes without a conflict: each attempt reads afresh and re-decides. */
export async function withConflictRetry<T>(attempt: () => Promise<T>, tries = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || i >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * i));
    }
  }
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
    if ((e as { type?: unknown }).type === "system") return true;
    if (/socket hang up|fetch failed|network/i.test((e as Error).message ?? "")) return true;
  }
  return false;
}

function causeText(error: unknown): string {
  const status = statusOf(error);
  if (status !== undefined) return `HTTP ${status}`;
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code: unknown = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

/** The Status object the API server answered with, when there is one. */
function serverMessage(error: unknown): { message?: string; reason?: string } {
  let body = (error as { body?: unknown }).body;
  if (typeof body === "string") {
    const text: string = body;
    try {
      body = JSON.parse(text);
    } catch {
      return { message: text };
    }
  }
  if (body && typeof body === "object") {
    const status = body as { message?: unknown; reason?: unknown };
    return {
      ...(typeof status.message === "string" && { message: status.message }),
      ...(typeof status.reason === "string" && { reason: status.reason }),
    };
  }
  return {};
}

function translate(error: unknown, what: string, at: { server: string; namespace: string }): unknown {
  const status = statusOf(error);
  if (status === undefined) return error;
  const { message } = serverMessage(error);
  const said = message ?? `HTTP ${status}`;
  switch (status) {
    case 404:
      return new ShipgateError(
        { code: "kubernetes/not-found", message: `${what}: ${said}` },
        { exitCode: 1 },
      );
    case 409:
      return new ShipgateError(
        {
          code: what.startsWith("create") ? "kubernetes/already-exists" : "kubernetes/conflict",
          message: said,
        },
        { exitCode: 1 },
      );
    case 401:
      return new ShipgateError(
        {
          code: "kubernetes/unauthorized",
          message: `the API server at ${at.server} did not accept the kubeconfig's credentials (${what}): ${said}`,
          hint: "refresh the credentials (for EKS: aws eks update-kubeconfig; in CI: the OIDC role)",
        },
        { exitCode: 2 },
      );
    case 403:
      return new ShipgateError(
        {
          code: "kubernetes/forbidden",
          message: `forbidden to ${what} in namespace ${at.namespace}: ${said}`,
          hint: "grant the verb on that resource to shipgate's account; docs/targets/kubernetes.md has a minimal Role",
        },
        { exitCode: 2 },
      );
    default:
      return new ShipgateError(
        { code: "kubernetes/rejected", message: `the API server refused to ${what}: ${said}` },
        { exitCode: 1 },
      );
  }
}
