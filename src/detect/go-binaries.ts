import { posix } from "node:path";
import type { AppCandidate } from "./apps.js";
import type { ProjectFiles } from "./files.js";
import { makeTargets } from "./task-runners.js";

/** Commands that are tools people run, not services: a CLI's image is a convenience. */
const TOOL = /^(cli|.+ctl|ctl|tools?|migrate|migrations?|gen|generate|codegen|client|docs?)$/i;
/** Commands named for the service: the main app, first. */
const SERVICE = /^(server|api|backend|web|gateway|daemon|service|app)$/i;

/** Folders a repository keeps its Dockerfiles in, besides the root and each command's own. */
const DOCKER_DIRS = [".", "docker", "build", "build/docker", "build/package", "deploy", "dockerfiles"];

/**
 * A Go module with several commands (`cmd/server`, `cmd/agent`) each built into its own image
 * (`docker/Dockerfile.server`, `Dockerfile.agent.multiarch`, `cmd/agent/Dockerfile`) ships
 * several services from one build: each becomes a candidate that runs at the root, named
 * `<module>-<command>` and built from its Dockerfile. One image or none: the module is one app.
 */
export async function goCommandBinaries(options: {
  repo: ProjectFiles;
  candidates: AppCandidate[];
}): Promise<void> {
  const { repo, candidates } = options;
  const root = candidates.find((c) => c.path === "." && c.language === "go");
  if (!root) return;
  const commands = await commandDirs(repo);
  if (commands.length < 2) return;
  const dockerfiles = await repositoryDockerfiles(repo);
  const deployables: Array<{ command: string; dockerfile: string }> = [];
  for (const command of commands) {
    if (TOOL.test(command)) continue;
    const dockerfile = dockerfileFor(command, dockerfiles);
    if (dockerfile) deployables.push({ command, dockerfile });
  }
  if (deployables.length < 2) return;
  deployables.sort((a, b) => Number(SERVICE.test(b.command)) - Number(SERVICE.test(a.command)));
  const base = root.detection.name ?? "app";
  candidates.splice(
    candidates.indexOf(root),
    1,
    ...deployables.map(({ command, dockerfile }) => ({
      ...root,
      dockerfile,
      dockerContext: ".",
      dockerTarget: null,
      imageName: null,
      dockerSource: `the Dockerfile named for cmd/${command}`,
      module: `cmd/${command}`,
      name: `${base}-${command}`,
      score: root.score + 4,
      reasons: [`cmd/${command} is built into its own image (${dockerfile})`, ...root.reasons],
    })),
  );
}

/** `cmd/<name>` folders holding Go files. */
async function commandDirs(repo: ProjectFiles): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await repo.list("cmd")) {
    if (!(await repo.isDirectory(`cmd/${entry}`))) continue;
    if ((await repo.list(`cmd/${entry}`)).some((f) => f.endsWith(".go"))) out.push(entry);
  }
  return out.sort();
}

async function repositoryDockerfiles(repo: ProjectFiles): Promise<string[]> {
  const out: string[] = [];
  for (const dir of DOCKER_DIRS) {
    for (const entry of await repo.list(dir)) {
      if (/^Dockerfile\b|\.Dockerfile$/i.test(entry)) out.push(dir === "." ? entry : `${dir}/${entry}`);
    }
  }
  for (const entry of await repo.list("cmd")) {
    if (await repo.exists(`cmd/${entry}/Dockerfile`)) out.push(`cmd/${entry}/Dockerfile`);
  }
  return out;
}

/**
 * The command's own Dockerfile: in its folder, or one whose name carries the command as a word
 * (`Dockerfile.server.multiarch.rootless`, `server.Dockerfile`); of several variants, the plainest
 * (the shortest name).
 */
function dockerfileFor(command: string, dockerfiles: readonly string[]): string | null {
  const own = dockerfiles.find((f) => f === `cmd/${command}/Dockerfile`);
  if (own) return own;
  const named = dockerfiles.filter((f) =>
    posix
      .basename(f)
      .toLowerCase()
      .split(/[.\-_]/)
      .includes(command.toLowerCase()),
  );
  return named.sort((a, b) => a.length - b.length)[0] ?? null;
}

/**
 * A command's own Make targets, where the Makefile has them (`build-agent`, `test-agent`,
 * `agent-build`): what the project runs for that one service.
 */
export async function commandTargets(
  repo: ProjectFiles,
  command: string,
): Promise<Partial<Record<"build" | "test", { command: string; file: string }>>> {
  const out: Partial<Record<"build" | "test", { command: string; file: string }>> = {};
  for (const file of ["Makefile", "makefile", "GNUmakefile"]) {
    const text = await repo.text(file);
    if (text === null) continue;
    const names = new Set(makeTargets(text, file).map((t) => t.command.replace(/^make /, "")));
    for (const kind of ["build", "test"] as const) {
      const own = [`${kind}-${command}`, `${command}-${kind}`, `${kind}_${command}`].find((n) =>
        names.has(n),
      );
      if (own && !out[kind]) out[kind] = { command: `make ${own}`, file };
    }
  }
  return out;
}
