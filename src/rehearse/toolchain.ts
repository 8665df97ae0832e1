import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import type { Toolchain } from "../pipeline/model.js";
import { TOOL_VERSIONS } from "../render/github/tool-versions.js";
import { capture } from "./run.js";
import { findBinary } from "./services.js";
import type { ToolchainCheck } from "./types.js";

/** What the setup actions of the generated workflow would install when shipgate.yml names no version. */
const WORKFLOW_DEFAULTS: Partial<Record<Toolchain["language"], string>> = {
  node: "22",
  python: "3.12",
  java: "21",
};

/** The version the generated workflow installs: the config's, its version file's, or the action default. */
export function wantedVersion(
  toolchain: Toolchain,
  appDir: string,
): { version: string | null; from: string } {
  if (toolchain.version) return { version: toolchain.version, from: "shipgate.yml" };
  const file = toolchain.versionFile ?? (toolchain.language === "go" ? "go.mod" : null);
  if (file) {
    const path = join(appDir, file);
    if (!existsSync(path)) return { version: null, from: `${file} (not in the repository)` };
    const text = readFileSync(path, "utf8");
    return { version: versionInFile(file, text, toolchain.language), from: file };
  }
  const fallback = WORKFLOW_DEFAULTS[toolchain.language];
  return fallback ? { version: fallback, from: "the workflow's default" } : { version: null, from: "" };
}

function versionInFile(file: string, text: string, language: Toolchain["language"]): string | null {
  if (file.endsWith("go.mod")) {
    const toolchainLine = /^toolchain\s+go(\S+)/m.exec(text)?.[1];
    return toolchainLine ?? /^go\s+(\S+)/m.exec(text)?.[1] ?? null;
  }
  if (file.endsWith(".tool-versions")) {
    const names = {
      node: ["nodejs", "node"],
      python: ["python"],
      go: ["golang", "go"],
      rust: ["rust"],
      java: ["java"],
    };
    for (const line of text.split("\n")) {
      const [name, version] = line.trim().split(/\s+/);
      if (name && version && names[language].includes(name)) return version;
    }
    return null;
  }
  return text.trim().split("\n")[0]?.trim() || null;
}

const VERSION_QUERIES: Record<Toolchain["language"], { tool: string; args: string[]; pattern: RegExp }> = {
  node: { tool: "node", args: ["--version"], pattern: /v?(\d+\.\d+\.\d+)/ },
  python: { tool: "python3", args: ["--version"], pattern: /(\d+\.\d+\.\d+)/ },
  go: { tool: "go", args: ["version"], pattern: /go(\d+\.\d+(?:\.\d+)?)/ },
  rust: { tool: "rustc", args: ["--version"], pattern: /(\d+\.\d+\.\d+)/ },
  java: { tool: "java", args: ["-version"], pattern: /version "(\d+(?:\.\d+)*)/ },
};

/**
 * The Python the workflow's setup-python would install, when this machine has it: `python3.12`
 * on PATH, or a pyenv version of that minor; else `python3`.
 */
export async function pythonFor(wanted: string | null, env: NodeJS.ProcessEnv): Promise<string> {
  const minor = wanted ? /^(\d+\.\d+)/.exec(wanted.trim())?.[1] : undefined;
  if (!minor) return "python3";
  const named = await capture(`python${minor}`, ["--version"], { env, timeoutMs: 30_000 });
  if (named?.code === 0) return `python${minor}`;
  const root = env.PYENV_ROOT ?? (env.HOME ? join(env.HOME, ".pyenv") : null);
  const versions = root ? join(root, "versions") : null;
  if (versions && existsSync(versions)) {
    const found = readdirSync(versions)
      .filter((v) => v === minor || v.startsWith(`${minor}.`))
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .pop();
    const python = found ? join(versions, found, "bin", "python3") : null;
    if (python && existsSync(python)) return python;
  }
  return "python3";
}

/** Whether `found` satisfies `wanted` as a setup action reads it: a prefix (`20`, `3.12`) or a lower bound. */
export function versionMatches(wanted: string, found: string): boolean | null {
  const w = wanted.trim().replace(/^v/, "");
  const parts = (v: string) => v.split(".").map((p) => Number.parseInt(p, 10));
  const f = parts(found);
  const bound = /^>=?\s*(\d+(?:\.\d+)*)/.exec(w);
  if (bound) {
    const b = parts(bound[1]!);
    for (let i = 0; i < b.length; i++) {
      if ((f[i] ?? 0) !== b[i]) return (f[i] ?? 0) > b[i]!;
    }
    return true;
  }
  const loose = /^[~^]?(\d+(?:\.(?:\d+|x|\*))*)$/.exec(w);
  if (!loose) return null;
  const wantedParts = loose[1]!.split(".");
  // ^ and ~ pin the major (and the minor for ~); a plain version is a prefix.
  const compare = w.startsWith("^") ? 1 : w.startsWith("~") ? 2 : wantedParts.length;
  for (let i = 0; i < Math.min(compare, wantedParts.length); i++) {
    const p = wantedParts[i]!;
    if (p === "x" || p === "*") break;
    if (Number.parseInt(p, 10) !== f[i]) return false;
  }
  return true;
}

/** The runtime on PATH compared with the one the workflow installs: a mismatch is a warning. */
export async function checkToolchain(
  toolchain: Toolchain,
  appDir: string,
  env: NodeJS.ProcessEnv,
): Promise<ToolchainCheck[]> {
  const query = VERSION_QUERIES[toolchain.language];
  const wanted = wantedVersion(toolchain, appDir);
  const tool = toolchain.language === "python" ? await pythonFor(wanted.version, env) : query.tool;
  const result = await capture(tool, query.args, { env, timeoutMs: 30_000 });
  const found = result ? (query.pattern.exec(`${result.stdout}${result.stderr}`)?.[1] ?? null) : null;
  const checks: ToolchainCheck[] = [];
  if (!found) {
    checks.push({
      tool: query.tool,
      wanted: wanted.version,
      found: null,
      ok: false,
      message: `${query.tool} is not installed here; the workflow installs ${wanted.version ?? "it"}`,
    });
  } else if (wanted.version) {
    const matches = versionMatches(wanted.version, found);
    checks.push({
      tool: query.tool,
      wanted: wanted.version,
      found,
      ok: matches !== false,
      message:
        matches === false
          ? `${query.tool} ${found} here, the workflow installs ${wanted.version} (${wanted.from}); rehearsed with ${found}`
          : matches === null
            ? `${query.tool} ${found} here; cannot compare with ${wanted.version} (${wanted.from})`
            : null,
    });
  } else {
    checks.push({ tool: query.tool, wanted: null, found, ok: true, message: null });
  }
  const pm = toolchain.packageManager;
  if (pm === "pnpm" || pm === "yarn") {
    const declared = packageManagerField(appDir);
    if (declared && !declared.startsWith(`${pm}@`)) {
      checks.push({
        tool: pm,
        wanted: declared,
        found: null,
        ok: false,
        message: `shipgate.yml says ${pm}, package.json's packageManager says ${declared}`,
      });
    }
  }
  return checks;
}

function packageManagerField(appDir: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8")) as {
      packageManager?: unknown;
    };
    return typeof pkg.packageManager === "string" ? pkg.packageManager : null;
  } catch {
    return null;
  }
}

export interface PreparedTools {
  /** Prepended to PATH for every job. */
  path: string[];
  env: Record<string, string>;
  notes: string[];
  /** Failures setting up a tool the workflow installs with an action. */
  errors: string[];
}

/**
 * What the generated workflow's setup actions provide, made without changing the machine:
 * corepack shims for pnpm and yarn in a folder of the rehearsal's own (where global installs go too), a virtualenv for Python
 * (so `pip install` never writes to the system's site-packages), Poetry and uv in it when they
 * are not installed.
 */
export async function prepareTools(
  toolchain: Toolchain,
  tools: string,
  env: NodeJS.ProcessEnv,
  appDir: string,
): Promise<PreparedTools> {
  const bin = join(tools, "bin");
  await mkdir(bin, { recursive: true });
  // Tools a job installs globally (`go install`, `cargo install`, `npm install -g`) land in the
  // rehearsal's own folder, on its PATH, and go with it.
  const out: PreparedTools = {
    path: [bin],
    env: {
      SHIPGATE_REHEARSAL_BIN: bin,
      GOBIN: bin,
      CARGO_INSTALL_ROOT: tools,
      // Both spellings: npm run and npx pass npm_config_prefix on to what they start.
      NPM_CONFIG_PREFIX: tools,
      npm_config_prefix: tools,
    },
    notes: [],
    errors: [],
  };
  const pm = toolchain.packageManager;
  if (toolchain.language === "node" && (pm === "pnpm" || pm === "yarn")) {
    const enabled = await capture("corepack", ["enable", "--install-directory", bin, pm], {
      env: { ...env, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0" },
    });
    if (enabled?.code === 0) out.notes.push(`${pm} through corepack (shims in the rehearsal's own folder)`);
    else if (!findBinary(pm, env))
      out.errors.push(`${pm} is not installed here and corepack could not provide it`);
    out.env.COREPACK_ENABLE_DOWNLOAD_PROMPT = "0";
  }
  if (!findBinary("yarn", env) && !(toolchain.language === "node" && pm === "yarn")) {
    // GitHub's ubuntu runners have yarn on PATH; builds of other languages call it for their front end.
    const enabled = await capture("corepack", ["enable", "--install-directory", bin, "yarn"], { env });
    if (enabled?.code === 0) {
      out.env.COREPACK_ENABLE_DOWNLOAD_PROMPT = "0";
      out.notes.push("yarn through corepack, as GitHub's runners have it on PATH");
    }
  }
  if (toolchain.language === "python") {
    const venv = join(tools, "venv");
    const python = await pythonFor(wantedVersion(toolchain, appDir).version, env);
    const made = await capture(python, ["-m", "venv", venv], { env, timeoutMs: 120_000 });
    if (made?.code !== 0) {
      out.errors.push(
        `python3 -m venv failed: ${made?.stderr.trim().split("\n").pop() ?? "python3 not found"}`,
      );
      return out;
    }
    out.path.unshift(join(venv, "bin"));
    out.env.VIRTUAL_ENV = venv;
    out.notes.push(`a fresh virtualenv of ${python} stands in for actions/setup-python`);
    if (pm === "poetry" || pm === "uv") {
      const version = pm === "poetry" ? `poetry==${TOOL_VERSIONS.poetry}` : "uv";
      if (!findBinary(pm, env)) {
        const own = join(tools, pm);
        const made = await capture("python3", ["-m", "venv", own], { env, timeoutMs: 120_000 });
        const installed =
          made?.code === 0
            ? await capture(join(own, "bin", "pip"), ["install", "--quiet", version], {
                env,
                timeoutMs: 600_000,
              })
            : null;
        if (installed?.code === 0) {
          await symlink(join(own, "bin", pm), join(bin, pm));
          out.notes.push(`${version} installed into the rehearsal's own folder`);
        } else {
          out.errors.push(
            `${pm} is not installed here and pip could not install ${version}: ${installed?.stderr.trim().split("\n").pop() ?? ""}`,
          );
        }
      }
    }
  }
  return out;
}

/** Set-up commands that change the machine itself: the rehearsal lists them instead of running them. */
export function changesTheMachine(command: string): boolean {
  return /(^|[\s;&|(])(sudo|apt-get|apt|yum|dnf|apk|brew)\s/.test(command);
}

/** `corepack enable` writes shims next to node; in the rehearsal they go to its own folder. */
export function localCorepack(command: string): string {
  return command.replace(
    /\bcorepack enable\b(?![^\n;&|]*--install-directory)/g,
    'corepack enable --install-directory "$SHIPGATE_REHEARSAL_BIN"',
  );
}
