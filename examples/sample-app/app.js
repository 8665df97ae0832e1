/**
 * Routes and fault injection. Kept apart from server.js so the lifecycle (listen, drain,
 * exit) and the request handling can be read on their own.
 */

const ORDERS = [
  { id: 1, item: "espresso", quantity: 2 },
  { id: 2, item: "flat white", quantity: 1 },
  { id: 3, item: "croissant", quantity: 3 },
];

/** Routes that report on the process itself; fault injection never touches them. */
const OPERATIONS_ROUTES = new Set(["/health", "/ready", "/metrics"]);
const APP_ROUTES = new Set(["/", "/api/orders"]);
const MAX_BODY_BYTES = 64 * 1024;

/**
 * @param {{
 *   version: string,
 *   faults: { errorRate: number, latencyMs: number, healthFails: boolean },
 *   metrics: { observe(sample: { route: string, status: number, seconds: number }): void, render(): string },
 * }} options
 */
export function createApp({ version, faults, metrics }) {
  const state = { started: false, draining: false, inFlight: 0 };

  async function handle(req, res) {
    const startedAt = process.hrtime.bigint();
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    // Unknown paths share one label so a scanner cannot blow up the metric's cardinality.
    const route = OPERATIONS_ROUTES.has(path) || APP_ROUTES.has(path) ? path : "other";
    state.inFlight += 1;
    res.setHeader("x-app-version", version);
    res.on("close", () => {
      state.inFlight -= 1;
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      metrics.observe({ route, status: res.statusCode, seconds });
    });

    try {
      if (!OPERATIONS_ROUTES.has(path)) {
        if (faults.latencyMs > 0) await sleep(faults.latencyMs);
        if (faults.errorRate > 0 && Math.random() < faults.errorRate) {
          return sendJson(res, 500, { error: "injected fault" });
        }
      }
      await dispatch(req, res, path);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      console.error(JSON.stringify({ level: "error", msg: "request failed", error: String(error) }));
    }
  }

  async function dispatch(req, res, path) {
    const method = req.method ?? "GET";
    const readOnly = method === "GET" || method === "HEAD";
    switch (path) {
      case "/health":
        if (!readOnly) return methodNotAllowed(res, "GET, HEAD");
        return faults.healthFails
          ? sendJson(res, 503, { status: "failing" })
          : sendJson(res, 200, { status: "ok" });
      case "/ready": {
        if (!readOnly) return methodNotAllowed(res, "GET, HEAD");
        const status = state.draining ? "draining" : state.started ? "ready" : "starting";
        return sendJson(res, status === "ready" ? 200 : 503, { status });
      }
      case "/metrics":
        if (!readOnly) return methodNotAllowed(res, "GET, HEAD");
        return send(res, 200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
      case "/":
        if (!readOnly) return methodNotAllowed(res, "GET, HEAD");
        return sendJson(res, 200, { service: "sample-app", routes: [...APP_ROUTES] });
      case "/api/orders":
        if (readOnly) return sendJson(res, 200, { orders: ORDERS, count: ORDERS.length });
        if (method === "POST") return createOrder(req, res);
        return methodNotAllowed(res, "GET, HEAD, POST");
      default:
        return sendJson(res, 404, { error: "not found", path });
    }
  }

  /** Echoes a new order back; nothing is stored, the service is stateless on purpose. */
  async function createOrder(req, res) {
    const text = await readBody(req);
    if (text === undefined) return sendJson(res, 413, { error: "body too large" });
    let order;
    try {
      order = JSON.parse(text);
    } catch {
      return sendJson(res, 400, { error: "body is not JSON" });
    }
    if (typeof order !== "object" || order === null || typeof order.item !== "string") {
      return sendJson(res, 400, { error: 'expected {"item": string, "quantity"?: number}' });
    }
    const quantity = Number.isInteger(order.quantity) ? order.quantity : 1;
    return sendJson(res, 201, { order: { id: ORDERS.length + 1, item: order.item, quantity } });
  }

  /** Every JSON body carries the version so a smoke test can tell which release answered. */
  function sendJson(res, status, body) {
    send(res, status, `${JSON.stringify({ ...body, version })}\n`, "application/json; charset=utf-8");
  }

  function send(res, status, text, contentType) {
    // While draining, ask keep-alive clients to reconnect (to another instance). Decided at
    // answer time: the request may have arrived before the signal.
    if (state.draining) res.setHeader("connection", "close");
    res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  function methodNotAllowed(res, allow) {
    res.setHeader("allow", allow);
    sendJson(res, 405, { error: "method not allowed", allow });
  }

  return {
    handle,
    state,
    markStarted() {
      state.started = true;
    },
    startDraining() {
      state.draining = true;
    },
  };
}

/** Resolves the body as text, or undefined when it is larger than MAX_BODY_BYTES. */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
