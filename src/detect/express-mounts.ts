import { dirname, join } from "node:path";
import { escapeRegExp } from "../regexp.js";

/**
 * Where an Express-style router is mounted: `apiRouter.use("/health", health)` in
 * `server/routes/routes.js`, exported as `{ api: apiRouter }`, and mounted by
 * `app.use("/api", routes.api)` in `server/server.js`, serves `/api/health`. One level of
 * mounting is followed, through CommonJS `require` and ES `import` of relative paths.
 */
export interface SourceText {
  /** Absolute path. */
  path: string;
  text: string;
}

export interface Mount {
  prefix: string;
  /** `file:line` of the `.use(prefix, router)` call. */
  where: string;
  /** False when the mounting file is itself a router mounted somewhere else. */
  sure: boolean;
}

/**
 * The prefix the router `receiver` of `file` is mounted under, the shortest when it is mounted
 * under several (`/api` and `/api/v2`); `null` when no file shown mounts it.
 */
export function mountOf(options: {
  file: SourceText;
  receiver: string;
  files: readonly SourceText[];
  /** Modules that only re-export another (`module.exports = require("./routes")` in an index). */
  reexports: readonly SourceText[];
  isNestedRouter: (text: string) => boolean;
}): Mount | null {
  const exported = exportNames(options.file.text, options.receiver);
  if (!exported.length) return null;
  const modules = [options.file.path, ...reexportersOf(options.file.path, options.reexports)];
  const mounts: Mount[] = [];
  for (const importer of options.files) {
    if (importer.path === options.file.path) continue;
    for (const binding of modules.flatMap((module) => bindingsOf(importer, module))) {
      for (const name of exported) {
        const ref = refTo(binding, name);
        if (ref === null) continue;
        const use = new RegExp(
          `\\.use\\(\\s*["'\`](\\/[^"'\`]*)["'\`]\\s*,\\s*${escapeRegExp(ref)}\\s*[,)]`,
          "g",
        );
        for (const m of importer.text.matchAll(use)) {
          mounts.push({
            prefix: m[1]!.replace(/\/+$/, ""),
            where: `${importer.path}:${importer.text.slice(0, m.index).split("\n").length}`,
            sure: !options.isNestedRouter(importer.text),
          });
        }
      }
    }
  }
  return mounts.sort((a, b) => a.prefix.length - b.prefix.length)[0] ?? null;
}

/**
 * Names the module exports `receiver` under: `""` for the module itself (`module.exports = r`,
 * `export default r`), else the key (`module.exports = { api: r }`, `exports.api = r`).
 */
function exportNames(text: string, receiver: string): string[] {
  const r = escapeRegExp(receiver);
  const names: string[] = [];
  if (new RegExp(`module\\.exports\\s*=\\s*${r}\\s*;?\\s*$|export\\s+default\\s+${r}\\b`, "m").test(text))
    names.push("");
  const object = /module\.exports\s*=\s*\{([^}]*)\}/.exec(text)?.[1] ?? "";
  for (const entry of object.split(",")) {
    const [key, value] = entry.split(":").map((s) => s.trim());
    if (key && (value ?? key) === receiver) names.push(key);
  }
  for (const m of text.matchAll(new RegExp(`(?:exports|module\\.exports)\\.(\\w+)\\s*=\\s*${r}\\b`, "g")))
    names.push(m[1]!);
  for (const m of text.matchAll(new RegExp(`export\\s+(?:const|let)\\s+(\\w+)\\s*=\\s*${r}\\b`, "g")))
    names.push(m[1]!);
  if (new RegExp(`export\\s*\\{[^}]*\\b${r}\\b[^}]*\\}`).test(text)) names.push(receiver);
  return names;
}

const REEXPORT =
  /module\.exports\s*=\s*require\(\s*["'](\.{1,2}\/[^"']*)["']\s*\)|export\s*\*\s*from\s*["'](\.{1,2}\/[^"']*)["']/g;

/** Whether a module re-exports another: what to collect for `reexports`. */
export function reexportsAModule(text: string): boolean {
  return /module\.exports\s*=\s*require\(|export\s*\*\s*from/.test(text);
}

function reexportersOf(target: string, modules: readonly SourceText[]): string[] {
  return modules
    .filter((m) => [...m.text.matchAll(REEXPORT)].some((r) => resolvesTo(m.path, r[1] ?? r[2]!, target)))
    .map((m) => m.path);
}

interface Binding {
  /** The local name the import is bound to. */
  local: string;
  /** For `const { api } = require(…)` / `import { api }`: the export taken. */
  member?: string;
}

/** How `importer` binds the module at `target` (relative specifiers, with or without extension). */
function bindingsOf(importer: SourceText, target: string): Binding[] {
  const out: Binding[] = [];
  const forms = [
    /(?:const|let|var)\s+(?<local>\w+)\s*=\s*require\(\s*["'](?<spec>\.{1,2}\/[^"']*)["']\s*\)/g,
    /import\s+(?<local>\w+)\s+from\s+["'](?<spec>\.{1,2}\/[^"']*)["']/g,
    /(?:const|let|var)\s*\{(?<members>[^}]*)\}\s*=\s*require\(\s*["'](?<spec>\.{1,2}\/[^"']*)["']\s*\)/g,
    /import\s*\{(?<members>[^}]*)\}\s*from\s+["'](?<spec>\.{1,2}\/[^"']*)["']/g,
  ];
  for (const form of forms) {
    for (const m of importer.text.matchAll(form)) {
      if (!resolvesTo(importer.path, m.groups!.spec!, target)) continue;
      if (m.groups!.local) out.push({ local: m.groups!.local });
      for (const member of (m.groups!.members ?? "").split(",")) {
        const [name, alias] = member.split(/\s*(?::|\bas\b)\s*/).map((s) => s.trim());
        if (name) out.push({ local: alias || name, member: name });
      }
    }
  }
  return out;
}

/** The expression `binding` reaches export `name` by (`""`: the module itself), if it can. */
function refTo(binding: Binding, name: string): string | null {
  if (binding.member !== undefined) return binding.member === name ? binding.local : null;
  return name === "" ? binding.local : `${binding.local}.${name}`;
}

/** `./routes`, `./routes.js` and `./routes/` (its index) all name `…/routes.js` or `…/routes/index.js`. */
function resolvesTo(from: string, spec: string, target: string): boolean {
  const base = join(dirname(from), spec);
  return (
    target === base || target.replace(/\.\w+$/, "") === base || target.replace(/\/index\.\w+$/, "") === base
  );
}
