import { appComposeServices } from "./compose.js";
import type { DockerfileFacts } from "./dockerfile.js";
import type { EcosystemDetection } from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";

/**
 * How one instance starts: a Node app through its package script (the local target runs it
 * on the host, where the script is what people run); anything else as its Procfile or image
 * starts it.
 */
export async function startCommand(options: {
  files: ProjectFiles;
  appPath: string;
  detection: EcosystemDetection;
  dockerfile: { path: string; facts: DockerfileFacts } | null;
  /** What the app and its image are called, to know its compose service. */
  names?: readonly string[];
}): Promise<{ command: string; source: string } | null> {
  const { detection, dockerfile } = options;
  if (detection.language === "node" && detection.start) return detection.start;
  if (dockerfile?.facts.start) {
    const handedOver = await throughEntryScript(options.files, dockerfile.path, dockerfile.facts.start);
    if (handedOver)
      return {
        command: handedOver.command,
        source: `${dockerfile.path} (CMD), through ${handedOver.script}`,
      };
    return { command: dockerfile.facts.start, source: `${dockerfile.path} (CMD)` };
  }
  const procfile = options.appPath === "." ? "Procfile" : `${options.appPath}/Procfile`;
  const web = /^web:\s*(.+)$/m.exec((await options.files.text(procfile)) ?? "")?.[1]?.trim();
  if (web) return { command: web, source: `${procfile} (web)` };
  return (
    detection.start ??
    (await composeStart(options.files, {
      appPath: options.appPath,
      dockerfile: dockerfile?.path ?? null,
      names: options.names ?? [],
    }))
  );
}

/**
 * The `command:` a compose file gives the app's own container, built from its folder or
 * Dockerfile or running its published image: what starts it when the image itself names no CMD.
 */
async function composeStart(
  files: ProjectFiles,
  app: { appPath: string; dockerfile: string | null; names: readonly string[] },
): Promise<{ command: string; source: string } | null> {
  const own = (await appComposeServices(files, app)).find((s) => s.command);
  return own?.command
    ? { command: own.command, source: `${own.file} service "${own.service}" (command)` }
    : null;
}

/**
 * An entry script of the repository that hands its arguments to the program (`exec gosu "$UID"
 * /app/lldap "$@"`): the start is that program with the image's CMD (`/app/lldap run …`), not
 * the script. The script is found by its name beside the Dockerfile or at the repository root.
 */
async function throughEntryScript(
  files: ProjectFiles,
  dockerfilePath: string,
  start: string,
): Promise<{ command: string; script: string } | null> {
  const m = /^(\S*?([\w.-]+\.sh))\s+(\S.*)$/.exec(start);
  if (!m) return null;
  const folder = dockerfilePath.includes("/")
    ? dockerfilePath.slice(0, dockerfilePath.lastIndexOf("/") + 1)
    : "";
  for (const candidate of [`${folder}${m[2]}`, m[2]!]) {
    const text = await files.text(candidate);
    if (text === null) continue;
    const program =
      /^\s*exec\s+(?:(?:gosu|su-exec|s6-setuidgid|chpst\s+-u)\s+\S+\s+)?(["']?)([^\s"'$]+)\1\s+"\$@"\s*$/m.exec(
        text,
      )?.[2];
    return program ? { command: `${program} ${m[3]}`, script: candidate } : null;
  }
  return null;
}

/** Development servers: they rebuild on change and are not how a release is served. */
const DEV_SERVER =
  /^(vite(?!\s+preview)\b|next\s+dev\b|nuxt\s+dev\b|react-scripts\s+start\b|webpack(-dev-server|\s+serve)\b|vue-cli-service\s+serve\b|ng\s+serve\b|nodemon\b|ts-node-dev\b|parcel(?!\s+build)\b)/;

/**
 * Why a Node start command would not serve a release — its script runs a development server —
 * or null. `yarn start` whose script is `vite` is the front end's dev server, not its deploy.
 */
export function devServerStart(command: string, scripts: Readonly<Record<string, string>>): string | null {
  const script = /^(?:npm|yarn|pnpm|bun)(?:\s+run)?\s+([\w:.-]+)\s*$/.exec(command)?.[1];
  const body = script ? scripts[script] : undefined;
  if (!body || !DEV_SERVER.test(body.trim())) return null;
  return `its "${script}" script runs a development server (${body.trim()}); say how a release is served`;
}

/** The port the app listens on: its start command's flag, its image, its health checks, a framework's default. */
export function listenPort(options: {
  dockerfile: { path: string; facts: DockerfileFacts } | null;
  checked: { port: number; source: string } | null;
  /** The port a Kubernetes manifest gives the app's container. */
  deployed?: { port: number; source: string } | null;
  /** The port the app's own configuration sets (Spring's `server.port`). */
  configured?: { port: number; source: string } | null;
  detection: EcosystemDetection;
  start: { command: string; source: string } | null;
}): { port: number; source: string; sure: boolean } | null {
  const { dockerfile, checked, detection, start } = options;
  const flag = start
    ? /(?:--port[ =]|-p |--bind[ =]\S*:|-b \S*:)(\d{2,5})\b/.exec(start.command)?.[1]
    : undefined;
  if (flag && start) return { port: Number(flag), source: start.source, sure: true };
  // A Dockerfile several modules share exposes a build argument's default; the module's own
  // configuration says where it listens.
  if (options.configured && (!dockerfile?.facts.port || dockerfile.facts.portFromArgument))
    return { ...options.configured, sure: true };
  if (dockerfile?.facts.port)
    return { port: dockerfile.facts.port, source: `${dockerfile.path} (EXPOSE)`, sure: true };
  if (checked) return { ...checked, sure: true };
  if (options.deployed) return { ...options.deployed, sure: true };
  const fallback = FRAMEWORK_PORTS.find(([pattern]) =>
    detection.dependencies.some((d) => pattern.test(d.name)),
  );
  if (fallback) return { port: fallback[1], source: `the default port of ${fallback[2]}`, sure: false };
  return null;
}

const FRAMEWORK_PORTS: ReadonlyArray<readonly [RegExp, number, string]> = [
  [/^next$/, 3000, "Next.js"],
  [/^@nestjs\/core$/, 3000, "NestJS"],
  [/^express$/, 3000, "an Express app"],
  [/^django$/, 8000, "Django"],
  [/^(fastapi|uvicorn)$/, 8000, "uvicorn"],
  [/^flask$/, 5000, "Flask"],
  [/^org\.springframework\.boot:/, 8080, "Spring Boot"],
];
