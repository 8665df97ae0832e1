import { posix } from "node:path";
import { appComposeServices, composeBuilds } from "./compose.js";
import type { DockerfileFacts } from "./dockerfile.js";
import type { ProjectFiles } from "./files.js";
import type { FoundRoute } from "./routes.js";

/** A health or readiness path, where it was read, and whether a person should check it. */
export interface FoundPath {
  path: string;
  source: string;
  sure: boolean;
  /** Why a person should check it, when it is not sure. */
  doubt?: string;
}

export interface HealthFacts {
  health: FoundPath | null;
  ready: FoundPath | null;
  /** A port the checks call, when they name one. */
  port: { port: number; source: string } | null;
}

const ANOTHER_COMPONENT = "the check of a container or service not known to be this app; check it is";

/**
 * Where the app is checked, in the order a deploy would trust it: the image's own HEALTHCHECK
 * (and the script it runs), Kubernetes and Helm probes, compose health checks, Spring Boot
 * Actuator, then routes named for health in the code.
 */
export async function detectHealth(options: {
  files: ProjectFiles;
  appPath: string;
  dockerfile: { path: string; facts: DockerfileFacts } | null;
  routes: readonly FoundRoute[];
  /** Manifests of the app, to see whether Spring Boot Actuator is a dependency. */
  jvmManifests: readonly string[];
  /**
   * What the app is called (its name, its image's name): a probe or compose health check of a
   * container or service by another name is another component's, so only a guess for this one.
   */
  names?: readonly string[];
}): Promise<HealthFacts> {
  const { files } = options;
  let health: FoundPath | null = null;
  let ready: FoundPath | null = null;
  let port: HealthFacts["port"] = null;
  const take = (found: { path: string; port: number | null } | null, source: string, sure = true) => {
    if (!found) return;
    health ??= { path: found.path, source, sure, ...(sure ? {} : { doubt: ANOTHER_COMPONENT }) };
    if (found.port && !port && sure) port = { port: found.port, source };
  };
  const names = new Set((options.names ?? []).filter(Boolean).map((n) => n.toLowerCase()));
  const ours = (named: readonly string[]) => named.some((n) => names.has(n.toLowerCase()));

  if (options.dockerfile?.facts.healthcheck) {
    const { command, line } = options.dockerfile.facts.healthcheck;
    const source = `${options.dockerfile.path}:${line} HEALTHCHECK`;
    take(
      urlIn(command) ?? (await scriptUrl({ files, command, dockerfile: options.dockerfile.path })),
      source,
    );
  }

  // The app's own container's probes. Where the manifests probe one container over HTTP, that is
  // the app whatever it is called; where they probe several and none is named like the app, the
  // first is a guess.
  const probes = await kubernetesProbes(files);
  const own = probes.filter((p) => ours(p.container));
  const containers = new Set(probes.map((p) => p.container[0] ?? ""));
  const other = own.length === 0 && containers.size > 1;
  for (const probe of own.length ? own : probes) {
    const where = other
      ? `${probe.where} (of container ${probe.container[0]}, not named like the app)`
      : probe.where;
    if (probe.kind === "readiness")
      ready ??= {
        path: probe.path,
        source: where,
        sure: !other,
        ...(other ? { doubt: ANOTHER_COMPONENT } : {}),
      };
    else take({ path: probe.path, port: probe.port }, where, !other);
  }

  const compose = await composeHealth(files, {
    appPath: options.appPath,
    dockerfile: options.dockerfile?.path ?? null,
    names,
  });
  if (compose) take(compose.found, compose.source, compose.ours || ours([compose.service]));

  const spring = await actuator(files, options.jvmManifests);
  if (spring) {
    health ??= { path: spring.health, source: spring.source, sure: true };
    if (spring.ready) ready ??= { path: spring.ready, source: spring.source, sure: true };
  }

  const live = options.routes.find((r) => !r.readiness);
  if (live) health ??= { path: live.path, source: `route in ${live.where}`, sure: live.sure };
  const readyRoute = options.routes.find((r) => r.readiness);
  if (readyRoute)
    ready ??= { path: readyRoute.path, source: `route in ${readyRoute.where}`, sure: readyRoute.sure };
  return { health, ready, port };
}

/**
 * The path and port of the http(s) URL a command or script checks: the first with a path, else
 * the first (`/` when it names none, as `curl http://localhost:8000` checks the root).
 */
export function urlIn(text: string): { path: string; port: number | null } | null {
  const urls: Array<{ path: string; port: number | null }> = [];
  for (const m of text.matchAll(/https?:\/\/([^/\s"'`|;)]+)(\/[^\s"'`|;)]*)?/g)) {
    const port = /:(\d{2,5})\b/.exec(m[1]!.replace(/\$\{[^}]*:-(\d+)\}/, ":$1"))?.[1];
    // `${ROOT}`, `{settings.path}` and similar are a deployment's prefix, not part of the route.
    const path = (m[2] ?? "/").replace(/\$?\{[^}]*\}/g, "").replace(/\/{2,}/g, "/") || "/";
    urls.push({ path, port: port ? Number(port) : null });
  }
  return urls.find((u) => u.path !== "/") ?? urls[0] ?? null;
}

/**
 * A HEALTHCHECK that runs a script (`./fetchstatus.py`, `python …/healthcheck.py`, a binary
 * built from `healthcheck.go`): the URL the script requests, or `/` when it requests the
 * server's root without naming a path.
 */
async function scriptUrl(options: {
  files: ProjectFiles;
  command: string;
  dockerfile: string;
}): Promise<{ path: string; port: number | null } | null> {
  const { files } = options;
  const dir = posix.dirname(options.dockerfile);
  for (const word of options.command.split(/\s+/)) {
    const clean = word
      .replace(/^["']|["']$/g, "")
      .replace(/^\$\{?\w+\}?\//, "")
      .replace(/^\.\//, "");
    if (!/[\w-]+(\.(py|js|mjs|sh|go|ts))?$/.test(clean) || !/health|status|check|probe/i.test(clean))
      continue;
    const bases = [dir, ".", posix.dirname(dir)];
    const names = /\.\w+$/.test(clean)
      ? [clean]
      : [clean, ...["go", "js", "py", "sh"].map((e) => `${clean}.${e}`)];
    for (const base of bases) {
      for (const name of names) {
        const path = posix.normalize(posix.join(base, name));
        // The script may live anywhere the image copies it from; its last segments are what we know.
        const source = (await files.text(path)) ?? (await files.text(name));
        if (source === null) continue;
        // A link in a comment (`// See https://github.com/…/pull/2083`) is not what it requests.
        const text = withoutComments(source);
        const url = urlIn(text);
        if (url) return url;
        if (/:\/\/|http\.Get|\.Get\(|requests\.get|urlopen|fetch\(|curl /.test(text))
          return { path: "/", port: null };
      }
    }
  }
  return null;
}

/** Line comments of shell, Python, Go and JavaScript (`#`, `//` not preceded by `:`). */
function withoutComments(text: string): string {
  return text.replace(/^\s*#.*$/gm, "").replace(/(^|\s)\/\/.*$/gm, "$1");
}

const KUBERNETES_DIRS = [
  "k8s",
  "kubernetes",
  "kube",
  "deploy",
  "deployment",
  "deployments",
  "manifests",
  "charts",
  "helm",
  ".helm",
  "chart",
  "infra",
];

/** YAML files of the folders Kubernetes manifests and Helm charts are kept in. */
async function kubernetesManifests(files: ProjectFiles): Promise<string[]> {
  const yamlFiles: string[] = [];
  const walk = async (dir: string, depth: number) => {
    if (depth > 4 || yamlFiles.length > 300) return;
    for (const entry of await files.list(dir)) {
      const path = `${dir}/${entry}`;
      if (/\.ya?ml$/.test(entry)) yamlFiles.push(path);
      else if (!entry.startsWith(".") && (await files.isDirectory(path))) await walk(path, depth + 1);
    }
  };
  for (const dir of KUBERNETES_DIRS) if (await files.isDirectory(dir)) await walk(dir, 0);
  return yamlFiles;
}

/**
 * The `containerPort` of the container a Kubernetes manifest runs the app in, matched by the
 * container's name or its image's name (`easi-backend`, `ghcr.io/org/easi-backend:1.2`).
 */
export async function kubernetesContainerPort(
  files: ProjectFiles,
  names: readonly string[],
): Promise<{ port: number; source: string } | null> {
  const wanted = new Set(names.filter(Boolean).map((n) => n.toLowerCase()));
  if (!wanted.size) return null;
  for (const file of await kubernetesManifests(files)) {
    const lines = ((await files.text(file)) ?? "").split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const port = /^\s*-?\s*containerPort:\s*(\d{2,5})\s*$/.exec(lines[i]!)?.[1];
      if (port && containerOf(lines, i).some((n) => wanted.has(n)))
        return { port: Number(port), source: `${file}:${i + 1} containerPort` };
    }
  }
  return null;
}

/**
 * The name and image name of the container a manifest line belongs to: the container item's own
 * `name:` and `image:` come before its ports and probes (`ghcr.io/org/api:1.2` → `api`).
 */
function containerOf(lines: readonly string[], at: number): string[] {
  const indentOf = (line: string) => line.length - line.trimStart().length;
  // The container's own keys sit at one indentation: the line's own, or for a port, its `ports:`.
  let level = indentOf(lines[at]!.replace(/^(\s*)- /, "$1  "));
  for (let j = at - 1; j >= 0 && /^\s*-?\s*containerPort:/.test(lines[at]!); j--) {
    const line = lines[j]!;
    if (line.trim() && indentOf(line) < level) {
      level = indentOf(line);
      break;
    }
  }
  const found: string[] = [];
  for (let j = at - 1; j >= Math.max(0, at - 80); j--) {
    const line = lines[j]!;
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const item = /^(\s*)- /.exec(line);
    const indent = item ? item[1]!.length + 2 : indentOf(line);
    if (indent < level) break;
    if (indent > level) continue;
    const value = /^\s*-?\s*(?:name|image):\s*["']?([^\s"'{]+)/.exec(line)?.[1];
    const base = value?.split("/").pop()?.split(":")[0]?.toLowerCase();
    if (base) found.push(base);
    if (item) break;
  }
  return found;
}

interface KubernetesProbe {
  kind: "liveness" | "readiness" | "startup";
  path: string;
  port: number | null;
  where: string;
  /** The probed container's name and image name, when the manifest shows them. */
  container: string[];
}

/** Probes in Kubernetes manifests and Helm charts (values and templates), found line by line. */
async function kubernetesProbes(files: ProjectFiles): Promise<KubernetesProbe[]> {
  const out: KubernetesProbe[] = [];
  // Liveness before startup: a startup probe may be a plain TCP check of the same port.
  const order = { liveness: 0, readiness: 1, startup: 2 } as const;
  for (const file of await kubernetesManifests(files)) {
    const lines = ((await files.text(file)) ?? "").split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const m = /^(\s*)(liveness|readiness|startup)Probe:\s*$/.exec(lines[i]!);
      if (!m) continue;
      const indent = m[1]!.length;
      let path: string | null = null;
      let port: number | null = null;
      for (let j = i + 1; j < lines.length; j++) {
        const line = lines[j]!;
        if (line.trim() === "" || line.trim().startsWith("#")) continue;
        if (line.length - line.trimStart().length <= indent) break;
        const p = /^\s*path:\s*["']?(\/[^\s"'{]*)["']?\s*$/.exec(line);
        if (p) path = p[1]!;
        const n = /^\s*port:\s*(\d+)\s*$/.exec(line);
        if (n) port = Number(n[1]);
      }
      if (path)
        out.push({
          kind: m[2] as "liveness",
          path,
          port,
          where: `${file}:${i + 1} ${m[2]}Probe`,
          container: containerOf(lines, i),
        });
    }
  }
  return out.sort((a, b) => order[a.kind] - order[b.kind]);
}

interface ComposeHealth {
  found: { path: string; port: number | null };
  source: string;
  service: string;
  /** Built from the app's folder or Dockerfile. */
  ours: boolean;
}

/**
 * The health check of a compose service built from the repository (not a database image): the
 * one built from the app's folder or Dockerfile first, else one running the app's published
 * image (`image: acme/orders:1.4`, named like the app), else the first built, which `ours` says
 * is not known to be the app's.
 */
async function composeHealth(
  files: ProjectFiles,
  app: { appPath: string; dockerfile: string | null; names: ReadonlySet<string> },
): Promise<ComposeHealth | null> {
  for (const service of await appComposeServices(files, app)) {
    const url = service.healthcheck === null ? null : urlIn(service.healthcheck);
    if (!url) continue;
    const image = service.published ? ` (image ${service.published})` : "";
    return {
      found: url,
      source: `${service.file} service "${service.service}" healthcheck${image}`,
      service: service.service,
      ours: true,
    };
  }
  for (const build of await composeBuilds(files)) {
    const url = build.healthcheck === null ? null : urlIn(build.healthcheck);
    if (url)
      return {
        found: url,
        source: `${build.file} service "${build.service}" healthcheck`,
        service: build.service,
        ours: false,
      };
  }
  return null;
}

/**
 * Spring Boot Actuator serves health at /actuator/health, or under the base path the
 * application's configuration sets; probe groups add /readiness when enabled.
 */
async function actuator(
  files: ProjectFiles,
  manifests: readonly string[],
): Promise<{ health: string; ready: string | null; source: string } | null> {
  let declared: string | null = null;
  // Gradle version catalogs name the dependency away from the build file.
  for (const manifest of [...manifests, "gradle/libs.versions.toml"]) {
    if (/spring-boot-starter-actuator|boot[.-]actuator/.test((await files.text(manifest)) ?? ""))
      declared = manifest;
  }
  if (!declared) return null;
  let base = "/actuator";
  let probes = false;
  let source = `${declared}, which brings in Spring Boot Actuator`;
  for (const file of await springConfigFiles(files)) {
    const settings = springSettings((await files.text(file)) ?? "");
    const found = settings.get("management.endpoints.web.base-path");
    if (found) {
      base = found === "/" ? "" : found.replace(/\/+$/, "");
      source = `${file} (management.endpoints.web.base-path)`;
    }
    if (settings.get("management.endpoint.health.probes.enabled") === "true") probes = true;
  }
  return { health: `${base}/health`, ready: probes ? `${base}/health/readiness` : null, source };
}

/**
 * The port a Spring Boot app's own configuration sets (`server.port=8081`, or the default of
 * `${PORT:8088}`), read from its `src/main/resources`.
 */
export async function springServerPort(
  files: ProjectFiles,
  appPath: string,
): Promise<{ port: number; source: string } | null> {
  const dir = appPath === "." ? "src/main/resources" : `${appPath}/src/main/resources`;
  for (const name of ["application.properties", "application.yml", "application.yaml"]) {
    const file = `${dir}/${name}`;
    const value = springSettings((await files.text(file)) ?? "").get("server.port");
    const port = Number(/^\$\{\w+:(\d+)\}$/.exec(value ?? "")?.[1] ?? value);
    if (Number.isInteger(port) && port > 0 && port < 65536) return { port, source: `${file} (server.port)` };
  }
  return null;
}

/**
 * Dotted keys and their values from an application.yml (nested or dotted keys, several
 * documents) or application.properties, read line by line.
 */
export function springSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  const stack: Array<{ indent: number; key: string }> = [];
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(raw) || raw.startsWith("---")) {
      if (raw.startsWith("---")) stack.length = 0;
      continue;
    }
    const property = /^\s*([\w.-]+)\s*[=:]\s*(.*?)\s*$/.exec(raw);
    const yaml = /^(\s*)([\w.-]+):\s*(.*?)\s*$/.exec(raw);
    if (yaml) {
      const indent = yaml[1]!.length;
      while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
      const key = [...stack.map((s) => s.key), yaml[2]!].join(".");
      const value = yaml[3]!.replace(/^["']|["']$/g, "");
      if (value) settings.set(key, value);
      else stack.push({ indent, key: yaml[2]! });
    } else if (property) settings.set(property[1]!, property[2]!);
  }
  return settings;
}

async function springConfigFiles(files: ProjectFiles): Promise<string[]> {
  const found: string[] = [];
  const names = ["application.yml", "application.yaml", "application.properties"];
  const dirs = ["src/main/resources"];
  for (const entry of await files.list(".")) {
    if (await files.exists(`${entry}/src/main/resources`)) dirs.push(`${entry}/src/main/resources`);
  }
  for (const dir of dirs)
    for (const name of names) if (await files.exists(`${dir}/${name}`)) found.push(`${dir}/${name}`);
  return found;
}
