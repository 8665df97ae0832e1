import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Language } from "../config/schema.js";
import { mountOf, reexportsAModule, type SourceText } from "./express-mounts.js";

/**
 * Health and readiness routes an app declares in its own code: route registrations of the
 * common web frameworks (Express, Koa, Fastify, Hono, NestJS, FastAPI, Flask, Django, Go's
 * net/http and routers, actix, axum, Spring) and file-based routes (Next.js, Remix). Only
 * routes whose last segment names a health check are taken, and only literal paths.
 */
export interface FoundRoute {
  path: string;
  /** `file:line` of the registration. */
  where: string;
  readiness: boolean;
  /** False when the router may mount it under a prefix the file does not show (Django includes). */
  sure: boolean;
}

/** Last path segments that name a liveness check, most conventional first. */
const HEALTH_NAMES = [
  "health",
  "healthz",
  "healthcheck",
  "health-check",
  "_health",
  "livez",
  "liveness",
  "status",
  "ping",
  "heartbeat",
  "alive",
];
const READY_NAMES = ["ready", "readiness", "readyz"];

/** Source files by the app's language: a Go service's routes are not its front end's, in one folder. */
const SOURCE: Record<Language, RegExp> = {
  node: /\.(ts|tsx|mts|js|mjs|cjs|jsx)$/,
  python: /\.py$/,
  go: /\.go$/,
  rust: /\.rs$/,
  java: /\.(java|kt)$/,
};
const SKIPPED_DIRS =
  /^(node_modules|vendor|dist|build|target|out|coverage|\.git|\.next|\.nuxt|\.venv|venv|__pycache__|migrations|fixtures|test|tests|__tests__|e2e|spec|docs?|examples?|storybook|static|public|assets|locales|i18n)$/;
const MAX_FILES = 6000;
const MAX_BYTES = 256 * 1024;

/** Route registration forms: each captures the path literal (group "p"). */
const REGISTRATIONS: readonly RegExp[] = [
  // Express, Koa, Fastify, Hono, FastAPI (`.get`), chi, net/http: the path, then its handler. A
  // call with the path alone is a client requesting it (`api.GET("/v1/status")`), not a route.
  // Go 1.22's ServeMux patterns name the method first: HandleFunc("GET /system/liveness", …).
  /\.(?:get|all|head|use|HandleFunc|Handle|Get|GET|Any)\(\s*["'`](?:(?:GET|HEAD) )?(?<p>\/[^"'`\s]*)["'`]\s*,/g,
  // Flask and Express `.route("/x")`, axum `.route("/x", …)`, actix `resource("/x")`, gorilla `Path("/x")`.
  /\.(?:route|api_route|Path|resource)\(\s*["'`](?<p>\/[^"'`\s]*)["'`]/g,
  // Python and Rust attribute routes: @app.get("/x"), @router.route("/x"), #[get("/x")].
  /[@#]\[?\s*(?:\w+\.)?(?:get|route|api_route)\(\s*["'](?<p>\/[^"'\s]*)["']/g,
  // Django: path("api/v3/status/", …) and re_path(r"^ping$", …), relative to their include().
  /\b(?:re_)?path\(\s*r?["']\^?(?<rel>[\w./-]*?)\$?["']/g,
  // Spring: @GetMapping("/x"), @RequestMapping("/x").
  /@(?:Get|Request)Mapping\(\s*(?:value\s*=\s*|path\s*=\s*)?["'](?<p>\/[^"']*)["']/g,
  // Go switch on a path: case "/healthcheck":
  /\bcase\s+(?:"[^"]*",\s*)*"(?<p>\/[\w-]+)"/g,
];

/**
 * Routers mounted under a path elsewhere: actix `scope(…)`, axum `.nest(…)`, Express
 * `Router()`, Flask blueprints, FastAPI `APIRouter`, Gin/Echo groups, chi `Route(…)`.
 */
const NESTED_ROUTER =
  /\b(?:web::)?scope\(\s*["']|\.nest\(\s*["']|\bRouter\(\s*\)|\bBlueprint\(|\bAPIRouter\(|\.Group\(\s*"|\.Route\(\s*"|url_prefix\s*=/;

function isNestedRouter(text: string): boolean {
  return NESTED_ROUTER.test(text);
}

/** A receiver named like a router that the file neither creates nor imports: a parameter. */
function routerFromCaller(text: string, receiver: string): boolean {
  if (!/router$/i.test(receiver)) return false;
  return !new RegExp(
    `\\b(?:const|let|var|import)\\s+(?:\\{[^}]*)?\\b${receiver}\\b|\\b${receiver}\\s*=[^=]`,
  ).test(text);
}

/**
 * A Flask blueprint or FastAPI router a file creates (`bp = Blueprint("health", __name__,
 * url_prefix="/x")`, `router = APIRouter(prefix="/x")`), by the name routes are registered on.
 */
function pythonRouter(
  text: string,
  receiver: string | undefined,
): { receiver: string; ownPrefix: string } | null {
  if (!receiver) return null;
  const created = new RegExp(`\\b${receiver}\\s*=\\s*(?:\\w+\\.)?(?:Blueprint|APIRouter)\\(([^)]*)\\)`).exec(
    text,
  );
  if (!created) return null;
  return { receiver, ownPrefix: prefixArgument(created[1]!) ?? "" };
}

/**
 * The prefix an app registers a blueprint or router under (`app.register_blueprint(bp,
 * url_prefix="/api")`, `app.include_router(router, prefix="/api")`): "" when registered without
 * one, null when no file registers it.
 */
function pythonRegistration(texts: readonly string[], receiver: string): string | null {
  const call = new RegExp(`(?:register_blueprint|include_router)\\(\\s*(?:\\w+\\.)*${receiver}\\b([^)]*)\\)`);
  for (const text of texts) {
    const m = call.exec(text);
    if (m) return prefixArgument(m[1]!) ?? "";
  }
  return null;
}

function prefixArgument(args: string): string | null {
  return /\b(?:url_)?prefix\s*=\s*["']([^"']*)["']/.exec(args)?.[1]?.replace(/\/+$/, "") ?? null;
}

/** NestJS: @Controller('health') with a bare @Get(), under the app's global prefix and URI version. */
const NEST_CONTROLLER = /@Controller\(\s*["'`](?<p>[\w./-]+)["'`]\s*\)[\s\S]{0,600}?@Get\(\s*\)/g;

export async function findRoutes(options: {
  root: string;
  dir: string;
  language: Language;
}): Promise<FoundRoute[]> {
  const base = join(options.root, options.dir);
  const files = await sourceFiles(base, SOURCE[options.language]);
  const routes: FoundRoute[] = [];
  let nestPrefix: string | null = null;
  const nest: Array<{ name: string; where: string }> = [];
  // Node routers: the files that mount routers, and the routes of routers to look a mount up for.
  const mounting: SourceText[] = [];
  const reexports: SourceText[] = [];
  const inRouters: Array<{ path: string; where: string; file: SourceText; receiver: string }> = [];
  // Python blueprints and routers, and every Python file, to find where each is registered.
  const pyRouted: Array<{ path: string; where: string; receiver: string; ownPrefix: string }> = [];
  const pyTexts: string[] = [];
  // Rust and Go files that nest routes under a scope or group (`web::scope("/auth/v1")`).
  const scoping = new Set<string>();
  for (const file of files) {
    const rel = relative(options.root, file);
    const fromName = fileRoute(relative(base, file));
    if (fromName) add(routes, fromName, `${rel}:1`);
    const text = await readFile(file, "utf8").catch(() => "");
    if (options.language === "python" && /register_blueprint|include_router/.test(text)) pyTexts.push(text);
    if ((options.language === "rust" || options.language === "go") && isNestedRouter(text)) scoping.add(rel);
    if (options.language === "node" && text.includes(".use(")) mounting.push({ path: file, text });
    if (options.language === "node" && reexportsAModule(text)) reexports.push({ path: file, text });
    if (!/health|ready|ping|status|heartbeat|alive|livez|liveness/i.test(text)) {
      if (/enableVersioning|setGlobalPrefix/.test(text)) nestPrefix ??= nestPrefixOf(text);
      continue;
    }
    if (/enableVersioning|setGlobalPrefix/.test(text)) nestPrefix ??= nestPrefixOf(text);
    // A file that builds a nested router mounts its routes under a prefix it may not show.
    const nested = isNestedRouter(text);
    for (const pattern of REGISTRATIONS) {
      for (const m of text.matchAll(pattern)) {
        const path = m.groups?.p ?? `/${m.groups?.rel ?? ""}`;
        const where = `${rel}:${lineOf(text, m.index ?? 0)}`;
        const receiver = /(\w+)\s*$/.exec(text.slice(Math.max(0, (m.index ?? 0) - 60), m.index))?.[1];
        const decorated = /^@(\w+)\./.exec(m[0])?.[1];
        const pyRouter =
          options.language === "python" && m.groups?.p ? pythonRouter(text, decorated ?? receiver) : null;
        // A router handed in by the caller (`export default function routes(router) {…}`) is
        // mounted wherever the caller mounts it.
        const handedIn =
          options.language === "node" && receiver !== undefined && routerFromCaller(text, receiver);
        if ((nested || handedIn) && options.language === "node" && m.groups?.p && receiver)
          inRouters.push({ path, where, file: { path: file, text }, receiver });
        else if (nested && pyRouter) pyRouted.push({ path, where, ...pyRouter });
        else add(routes, path, where, m.groups?.rel === undefined && !nested);
      }
    }
    for (const m of text.matchAll(NEST_CONTROLLER)) {
      nest.push({ name: m.groups!.p!, where: `${rel}:${lineOf(text, m.index ?? 0)}` });
    }
  }
  for (const route of inRouters) {
    const mount = mountOf({
      file: route.file,
      receiver: route.receiver,
      files: mounting,
      reexports,
      isNestedRouter,
    });
    if (mount)
      add(
        routes,
        `${mount.prefix}${route.path}`,
        `${route.where}, mounted at ${relative(options.root, mount.where)}`,
        mount.sure,
      );
    else add(routes, route.path, route.where, false);
  }
  for (const route of pyRouted) {
    const registered = pythonRegistration(pyTexts, route.receiver);
    const prefix = `${registered ?? ""}${route.ownPrefix}`.replace(/\/+$/, "");
    add(routes, `${prefix}${route.path}`, route.where, registered !== null);
  }
  for (const controller of nest) {
    add(routes, `${nestPrefix ?? ""}/${controller.name.replace(/^\/+/, "")}`, controller.where);
  }
  // A handler declared in one file and served from another that nests routes under a scope may
  // be served under that scope: the path is a guess.
  for (const route of routes) {
    const file = route.where.replace(/:\d+$/, "");
    if (scoping.size && !scoping.has(file)) route.sure = false;
  }
  return routes.sort((a, b) => rankOf(a) - rankOf(b) || a.path.length - b.path.length);
}

function add(routes: FoundRoute[], path: string, where: string, sure = true): void {
  if (/[:{<*(]/.test(path)) return;
  const last = path.replace(/\/+$/, "").split("/").pop()?.toLowerCase() ?? "";
  const readiness = READY_NAMES.includes(last);
  if (!readiness && !HEALTH_NAMES.includes(last)) return;
  if (!routes.some((r) => r.path === path)) routes.push({ path, where, readiness, sure });
}

function rankOf(route: FoundRoute): number {
  const last = route.path.replace(/\/+$/, "").split("/").pop()!.toLowerCase();
  const names = route.readiness ? READY_NAMES : HEALTH_NAMES;
  return names.indexOf(last);
}

/** `app.setGlobalPrefix('api')` and URI versioning with a default version: `/api/v1`. */
function nestPrefixOf(text: string): string | null {
  let prefix = "";
  const global = /setGlobalPrefix\(\s*["'`]([\w/-]+)["'`]/.exec(text);
  if (global) prefix += `/${global[1]!.replace(/^\/+|\/+$/g, "")}`;
  if (/enableVersioning\([\s\S]{0,300}?VersioningType\.URI/.test(text)) {
    const version = /defaultVersion:\s*["'`]?(\w+)["'`]?/.exec(text)?.[1];
    if (version) prefix += `/v${version}`;
  }
  return prefix || null;
}

/** Next.js `app/health/route.ts`, `pages/api/health.ts`; Remix flat routes `api+/health.ts`, `api.health.ts`. */
function fileRoute(path: string): string | null {
  const next = /(?:^|\/)app\/(.+)\/route\.(?:ts|js|mjs)$/.exec(path);
  if (next) return `/${next[1]!.replace(/\([^)]*\)\//g, "")}`;
  const pages = /(?:^|\/)pages\/(api\/.+)\.(?:ts|js)$/.exec(path);
  if (pages) return `/${pages[1]}`;
  const remix = /(?:^|\/)app\/routes\/(.+)\.(?:ts|tsx|js)$/.exec(path);
  if (remix) {
    const route = remix[1]!
      .replace(/\/route$/, "")
      .replace(/\+\//g, ".")
      .replace(/\./g, "/");
    return `/${route.replace(/^_[^/]*\//, "")}`;
  }
  return null;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

async function sourceFiles(base: string, source: RegExp): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (found.length >= MAX_FILES || depth > 8) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (found.length >= MAX_FILES) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.test(entry.name) && !entry.name.startsWith(".")) await walk(path, depth + 1);
      } else if (entry.isFile() && source.test(entry.name) && !/\.(test|spec|d)\.\w+$/.test(entry.name)) {
        const size = (await stat(path).catch(() => null))?.size ?? 0;
        if (size <= MAX_BYTES) found.push(path);
      }
    }
  };
  await walk(base, 0);
  return found;
}
