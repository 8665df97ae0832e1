import { readdir, readFile, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseToml, type TomlTable } from "./toml.js";

/**
 * Read-only access to the repository being detected. Every reader returns null for a missing
 * file, and for a file that cannot be parsed it also records a note naming the file, so one
 * malformed manifest never stops detection of the rest.
 */
export interface ProjectFiles {
  readonly root: string;
  /** Notes about files that could not be read, in the order they were found. */
  readonly notes: string[];
  exists(path: string): Promise<boolean>;
  /** The first of `paths` that exists, or null. */
  first(paths: readonly string[]): Promise<string | null>;
  text(path: string): Promise<string | null>;
  /** A JSON object; anything else (an array, a number) counts as malformed. */
  json(path: string): Promise<Record<string, unknown> | null>;
  toml(path: string): Promise<TomlTable | null>;
  yaml(path: string): Promise<unknown>;
  /** Names of the entries of a directory, sorted; empty when it does not exist. */
  list(path: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;
  /** Directories named by workspace member patterns: literal paths and a trailing `/*`. */
  members(patterns: readonly string[]): Promise<string[]>;
}

export function projectFiles(options: { root: string }): ProjectFiles {
  const { root } = options;
  const notes: string[] = [];
  const texts = new Map<string, Promise<string | null>>();

  const text = (path: string): Promise<string | null> => {
    let pending = texts.get(path);
    if (!pending) {
      pending = readFile(join(root, path), "utf8").catch(() => null);
      texts.set(path, pending);
    }
    return pending;
  };

  const parsed = async <T>(path: string, kind: string, parse: (source: string) => T): Promise<T | null> => {
    const source = await text(path);
    if (source === null) return null;
    try {
      return parse(source);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      // Several detectors read the same manifest; the person needs to hear about it once.
      const note = `${path} is not valid ${kind} (${reason}); it was ignored.`;
      if (!notes.includes(note)) notes.push(note);
      return null;
    }
  };

  const exists = async (path: string) => (await stat(join(root, path)).catch(() => null)) !== null;
  const isDirectory = async (path: string) =>
    (await stat(join(root, path)).catch(() => null))?.isDirectory() ?? false;
  const list = async (path: string) => (await readdir(join(root, path)).catch(() => [] as string[])).sort();

  return {
    root,
    notes,
    exists,
    text,
    list,
    isDirectory,
    async first(paths) {
      for (const path of paths) if (await exists(path)) return path;
      return null;
    },
    json: (path) =>
      parsed(path, "JSON", (source) => {
        const value: unknown = JSON.parse(source);
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          throw new Error("expected an object");
        }
        return value as Record<string, unknown>;
      }),
    toml: (path) => parsed(path, "TOML", parseToml),
    yaml: async (path) =>
      (await parsed(path, "YAML", (source) => ({ value: parseYaml(source) as unknown })))?.value,
    async members(patterns) {
      const found: string[] = [];
      for (const pattern of patterns) {
        const clean = posix.normalize(pattern).replace(/^\.\/|\/$/g, "");
        if (clean.startsWith("..") || clean.startsWith("!")) continue;
        if (clean.endsWith("/*")) {
          const parent = clean.slice(0, -2);
          for (const entry of await list(parent)) {
            if (await isDirectory(`${parent}/${entry}`)) found.push(`${parent}/${entry}`);
          }
        } else if (!clean.includes("*") && (await isDirectory(clean))) {
          found.push(clean);
        }
      }
      return [...new Set(found)];
    },
  };
}
