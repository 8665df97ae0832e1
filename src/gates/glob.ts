import { readdir } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { inputError } from "../errors.js";

/**
 * Report arguments are files or glob patterns (`reports/**\/junit-*.xml`). Node 20 has no
 * fs.glob (it arrived in 22), and shells differ on `**`, so simple patterns are expanded
 * here: `*` and `?` within a path segment, `**` for any depth of directories. `**` does not
 * descend into node_modules or dot-directories unless the pattern names them.
 */
export async function expandReportPaths(patterns: readonly string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (!isPattern(pattern)) {
      // A plain path is kept even when missing, so the reader can say "does not exist".
      files.push(resolve(cwd, pattern));
      continue;
    }
    const matches = await expandPattern(pattern, cwd);
    if (matches.length === 0) {
      throw inputError("gate/no-reports", `no file matches ${pattern}`, {
        hint: "check the pattern and that the step writing the reports ran first (patterns are relative to the working directory)",
      });
    }
    files.push(...matches);
  }
  return [...new Set(files)];
}

export function isPattern(path: string): boolean {
  return /[*?]/.test(path);
}

async function expandPattern(pattern: string, cwd: string): Promise<string[]> {
  const normalized = pattern.replaceAll("\\", "/");
  const segments = normalized.split("/").filter((s, i) => s !== "" || i === 0);
  let base = isAbsolute(normalized) ? "/" : cwd;
  // Leading segments without wildcards are a directory to start from.
  while (segments.length > 1 && !isPattern(segments[0]!)) {
    const segment = segments.shift()!;
    base = segment === "" ? "/" : join(base, segment);
  }
  const out: string[] = [];
  await walk(base, segments, out);
  return out.sort();
}

async function walk(dir: string, segments: string[], out: string[]): Promise<void> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (segment === "**") {
    // `**` matches zero directories here, or one more level and stays in play.
    await walk(dir, rest, out);
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules") {
        await walk(join(dir, entry.name), segments, out);
      }
    }
    return;
  }
  const matcher = segmentMatcher(segment);
  for (const entry of entries) {
    if (!matcher.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (rest.length === 0) {
      if (entry.isFile()) out.push(path);
    } else if (entry.isDirectory()) {
      await walk(path, rest, out);
    }
  }
}

function segmentMatcher(segment: string): RegExp {
  const source = [...segment]
    .map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  // A wildcard never matches a leading dot, as in shells: `*.xml` skips `.hidden.xml`.
  return new RegExp(`^${segment.startsWith(".") ? "" : "(?!\\.)"}${source}$`);
}
