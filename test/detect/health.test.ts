import { describe, expect, test } from "vitest";
import { detectFiles, json } from "./repo.js";

const NODE = {
  "package.json": json({
    name: "orders-api",
    scripts: { start: "node server.js" },
    dependencies: { express: "4" },
  }),
  "package-lock.json": "{}",
};

describe("health and readiness paths", () => {
  test("the image's own HEALTHCHECK names the path and the port", async () => {
    const d = await detectFiles({
      ...NODE,
      Dockerfile: [
        "FROM node:20",
        "COPY . .",
        "HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8080/healthz || exit 1",
        'CMD ["node", "server.js"]',
      ].join("\n"),
    });
    expect(d.healthPath).toBe("/healthz");
    expect(d.sources.healthPath).toBe("Dockerfile:3 HEALTHCHECK");
    expect(d.unsure.healthPath).toBeUndefined();
    expect(d.port).toBe(8080);
  });

  test("a HEALTHCHECK that runs a script: the URL the script requests", async () => {
    const d = await detectFiles({
      ...NODE,
      Dockerfile: "FROM node:20\nHEALTHCHECK CMD node ./healthcheck.js\n",
      "healthcheck.js":
        "fetch('http://127.0.0.1:3000/api/status').then((r) => process.exit(r.ok ? 0 : 1));\n",
    });
    expect(d.healthPath).toBe("/api/status");
  });

  test("Kubernetes probes give liveness and readiness", async () => {
    const d = await detectFiles({
      ...NODE,
      "k8s/deployment.yaml": [
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        "        - name: api",
        "          livenessProbe:",
        "            httpGet:",
        "              path: /livez",
        "              port: 3000",
        "          readinessProbe:",
        "            httpGet:",
        "              path: /readyz",
        "              port: 3000",
      ].join("\n"),
    });
    expect(d).toMatchObject({ healthPath: "/livez", readyPath: "/readyz" });
    expect(d.sources.healthPath).toBe("k8s/deployment.yaml:6 livenessProbe");
    expect(d.sources.readyPath).toBe("k8s/deployment.yaml:10 readinessProbe");
  });

  test("of several probed containers, the one named like the app; none named so is a guess", async () => {
    const container = (name: string, path: string) => [
      `        - name: ${name}`,
      `          image: ghcr.io/acme/${name}:1.4.0`,
      "          env:",
      "            - name: LOG_LEVEL",
      "              value: info",
      "          livenessProbe:",
      "            httpGet:",
      `              path: ${path}`,
      "              port: 8080",
    ];
    const manifest = (...containers: string[][]) =>
      ["spec:", "  template:", "    spec:", "      containers:", ...containers.flat()].join("\n");
    const named = await detectFiles({
      ...NODE,
      "deploy/app.yaml": manifest(container("gateway", "/gw/health"), container("orders-api", "/api/livez")),
    });
    expect(named.healthPath).toBe("/api/livez");
    expect(named.unsure.healthPath).toBeUndefined();
    const unnamed = await detectFiles({
      ...NODE,
      "deploy/app.yaml": manifest(
        container("gateway", "/gw/health"),
        container("billing", "/billing/health"),
      ),
    });
    expect(unnamed.healthPath).toBe("/gw/health");
    expect(unnamed.sources.healthPath).toBe(
      "deploy/app.yaml:10 livenessProbe (of container gateway, not named like the app)",
    );
    expect(unnamed.unsure.healthPath).toMatch(/not named like the app/);
  });

  test("a compose health check counts only for a service built from the repository", async () => {
    const compose = (build: boolean) =>
      [
        "services:",
        "  db:",
        "    image: postgres:16",
        "    healthcheck:",
        '      test: ["CMD", "curl", "-f", "http://localhost:5432/db-only"]',
        "  api:",
        ...(build ? ["    build: ."] : ["    image: acme/api"]),
        "    healthcheck:",
        '      test: ["CMD", "wget", "-qO-", "http://localhost:3000/api/health"]',
      ].join("\n");
    const built = await detectFiles({ ...NODE, "docker-compose.yml": compose(true) });
    expect(built.healthPath).toBe("/api/health");
    expect(built.sources.healthPath).toBe('docker-compose.yml service "api" healthcheck');
    const pulled = await detectFiles({ ...NODE, "docker-compose.yml": compose(false) });
    expect(pulled.unsure.healthPath).toMatch(/placeholder/);
    // Built from another folder, by another name: another component's check, a guess for this app.
    const elsewhere = await detectFiles({
      ...NODE,
      "docker-compose.yml": compose(true).replace("build: .", "build: ./admin"),
    });
    expect(elsewhere.healthPath).toBe("/api/health");
    expect(elsewhere.unsure.healthPath).toMatch(/service "api" healthcheck/);
  });

  test("Spring Boot Actuator: its base path and probe groups", async () => {
    const d = await detectFiles({
      "pom.xml":
        "<project><artifactId>inventory</artifactId><dependencies><dependency><artifactId>spring-boot-starter-actuator</artifactId></dependency></dependencies></project>",
      mvnw: "",
      "src/main/resources/application.yml": [
        "management:",
        "  endpoints:",
        "    web:",
        "      base-path: /manage",
        "  endpoint:",
        "    health:",
        "      probes:",
        "        enabled: true",
      ].join("\n"),
    });
    expect(d).toMatchObject({ healthPath: "/manage/health", readyPath: "/manage/health/readiness" });
  });

  test("an explicit route in the code", async () => {
    const d = await detectFiles({
      ...NODE,
      "src/server.js":
        "const app = require('express')();\napp.get('/healthz', (req, res) => res.send('ok'));\n",
    });
    expect(d.healthPath).toBe("/healthz");
    expect(d.sources.healthPath).toBe("route in src/server.js:2");
  });

  test("nothing names a check: /health is a placeholder marked for replacing, and no readiness path is invented", async () => {
    const d = await detectFiles(NODE);
    expect(d.healthPath).toBe("/health");
    expect(d.unsure.healthPath).toBe("no health check or health route found: /health is a placeholder");
    expect(d.readyPath).toBeNull();
  });
});

describe("routes under a nested router", () => {
  test("a health route of a scoped router is taken but marked: its prefix is elsewhere", async () => {
    const d = await detectFiles({
      "Cargo.toml": '[package]\nname = "forum"\nversion = "0.1.0"\n[dependencies]\nactix-web = "4"\n',
      "Cargo.lock": "",
      "src/routes.rs": [
        "pub fn config(cfg: &mut web::ServiceConfig) {",
        '  cfg.service(scope("/api/v3").route("/health", get().to(health)));',
        "}",
      ].join("\n"),
    });
    expect(d.healthPath).toBe("/health");
    expect(d.unsure.healthPath).toBe("route in src/routes.rs:2: check the prefix it is served under");
  });
});

describe("routes in Express routers and Go 1.22 patterns", () => {
  test("a router mounted by the app under a prefix, through an index that re-exports it", async () => {
    const d = await detectFiles({
      ...NODE,
      "server/routes/health.routes.js":
        'const { Router } = require("express");\nconst router = Router();\nrouter.get("/", (_, res) => res.send("OK"));\nmodule.exports = router;\n',
      "server/routes/routes.js": [
        'const { Router } = require("express");',
        'const health = require("./health.routes");',
        "const apiRouter = Router();",
        'apiRouter.use("/health", health);',
        "module.exports = { api: apiRouter };",
      ].join("\n"),
      "server/routes/index.js": 'module.exports = require("./routes");\n',
      "server/server.js": [
        'const express = require("express");',
        'const routes = require("./routes");',
        "const app = express();",
        'app.use("/api/v2", routes.api);',
        'app.use("/api", routes.api);',
      ].join("\n"),
    });
    expect(d.healthPath).toBe("/api/health");
    expect(d.sources.healthPath).toBe("route in server/routes/routes.js:4, mounted at server/server.js:5");
    expect(d.unsure.healthPath).toBeUndefined();
  });

  test("a router nothing shown mounts keeps its path, marked", async () => {
    const d = await detectFiles({
      ...NODE,
      "src/status.ts":
        'import { Router } from "express";\nexport const status = Router();\nstatus.get("/health", (_req, res) => res.send("ok"));\n',
    });
    expect(d.healthPath).toBe("/health");
    expect(d.unsure.healthPath).toMatch(/check the prefix/);
  });

  test('ServeMux patterns with a method: HandleFunc("GET /system/liveness", …)', async () => {
    const d = await detectFiles({
      "go.mod": "module example.com/bookmarks\n\ngo 1.23\n",
      "internal/http/server.go":
        'package http\n\nfunc routes(mux *http.ServeMux) {\n\tmux.HandleFunc("GET /system/liveness", liveness)\n}\n',
    });
    expect(d.healthPath).toBe("/system/liveness");
  });

  test("a HEALTHCHECK program's links in comments are not what it requests", async () => {
    const d = await detectFiles({
      ...NODE,
      Dockerfile: "FROM node:22\nHEALTHCHECK CMD extra/healthcheck\n",
      "extra/healthcheck.go": [
        "package main",
        "// See https://github.com/example/monitor/pull/2083",
        "func main() {",
        '\turl := "http://" + host + ":" + port',
        "\tresp, err := client.Get(url)",
        "}",
      ].join("\n"),
    });
    expect(d.healthPath).toBe("/");
  });

  test("a Flask blueprint's route is served under the prefix the app registers it with", async () => {
    const d = await detectFiles({
      "pyproject.toml": '[project]\nname = "tracks"\ndependencies = ["flask"]\n',
      "tracks/health.py":
        'from flask import Blueprint\nhealth_bp = Blueprint("health", __name__)\n\n@health_bp.route("/ping", methods=["GET"])\ndef ping():\n    return {"status": "ok"}\n',
      "tracks/__init__.py":
        'from tracks.health import health_bp\n\ndef create_app(app):\n    app.register_blueprint(health_bp, url_prefix="/api")\n',
    });
    expect(d.healthPath).toBe("/api/ping");
    expect(d.unsure.healthPath).toBeUndefined();
  });

  test("a Koa or Express router handed in by its caller: the path is a guess, marked", async () => {
    const d = await detectFiles({
      "package.json": json({ name: "authz", scripts: { start: "node ." }, dependencies: { koa: "2" } }),
      "package-lock.json": "{}",
      "src/routes/status.ts":
        "export default function statusRoutes(router) {\n  router.get('/status', async (ctx) => { ctx.status = 204; });\n}\n",
    });
    expect(d.healthPath).toBe("/status");
    expect(d.unsure.healthPath).toMatch(/prefix/);
  });

  test("an actix handler served from a file that nests routes under a scope: marked", async () => {
    const d = await detectFiles({
      "Cargo.toml": '[package]\nname = "authd"\nversion = "0.1.0"\n\n[dependencies]\nactix-web = "4"\n',
      "src/generic.rs": '#[get("/health")]\npub async fn health() -> impl Responder { HttpResponse::Ok() }\n',
      "src/main.rs": 'App::new().service(web::scope("/auth/v1").service(generic::health))\n',
    });
    expect(d.healthPath).toBe("/health");
    expect(d.unsure.healthPath).toBeDefined();
  });

  test("a compose service running the app's published image gives its health check and command", async () => {
    const d = await detectFiles({
      "pyproject.toml": '[project]\nname = "tracks"\ndependencies = ["flask", "gunicorn"]\n',
      Dockerfile: "FROM python:3.12\nCOPY . .\n",
      "docker-compose.yml": [
        "services:",
        "  db:",
        "    image: postgres:16",
        "  tracks:",
        "    image: acme/tracks:v1.2.2",
        "    command: 'sh docker-entrypoint.sh'",
        "    healthcheck:",
        '      test: ["CMD-SHELL", "wget --spider http://127.0.0.1:5000/api/check-db || exit 1"]',
      ].join("\n"),
    });
    expect(d.healthPath).toBe("/api/check-db");
    expect(d.sources.healthPath).toBe('docker-compose.yml service "tracks" healthcheck (image tracks)');
    expect(d.start).toBe("sh docker-entrypoint.sh");
    expect(d.sources.start).toBe('docker-compose.yml service "tracks" (command)');
  });
});
