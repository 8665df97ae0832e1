import type { ProjectFiles } from "./files.js";

/**
 * The environment variables an app's configuration reads, by name: where the tests find their
 * database when neither CI nor an env file says (Django settings' `env("DATABASE_URL")`, a
 * Prisma schema's `env("…")`, `process.env.X`, `os.Getenv("X")`, `std::env::var("X")`,
 * `System.getenv("X")`, Spring's `${X:default}`). Only configuration and test set-up files are
 * read — settings, config, database and env modules, conftest and test helpers — not the
 * whole source tree.
 */
const CONFIG_FILE =
  /^(settings|config|conf|configuration|env|environment|database|db|conftest|setup|test_?helpers?|jest\.setup|vitest\.setup|schema|application)([._-][\w.-]*)?\.(py|ts|mts|js|mjs|cjs|go|rs|java|kt|prisma|ya?ml|properties)$/i;
const SKIPPED =
  /^(node_modules|vendor|dist|build|target|out|coverage|\.git|\.venv|venv|__pycache__|static|public|assets|docs?|locale|locales|migrations|fixtures)$/;
const READS: readonly RegExp[] = [
  /\bos\.(?:environ(?:\.get)?|getenv)\s*[([]\s*["']([A-Z][A-Z0-9_]+)["']/g,
  /\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']/g,
  /\bprocess\.env(?:\.([A-Z][A-Z0-9_]+)|\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\])/g,
  /\bos\.(?:Getenv|LookupEnv)\(\s*"([A-Z][A-Z0-9_]+)"/g,
  /\benv::var(?:_os)?\(\s*"([A-Z][A-Z0-9_]+)"/g,
  /\bSystem\.getenv\(\s*"([A-Z][A-Z0-9_]+)"/g,
  /\$\{([A-Z][A-Z0-9_]+)(?::[^}]*)?\}/g,
];
const SOURCE = /\.(py|ts|mts|js|mjs|go|rs|java|kt)$/;
const MAX_FILES = 60;

export async function codeVariables(files: ProjectFiles, appPath: string): Promise<string[]> {
  const found = new Set<string>();
  const paths: string[] = [];
  const walk = async (dir: string, depth: number) => {
    if (depth > 4 || paths.length >= MAX_FILES) return;
    // Everything in a settings package (`app/settings/common.py`) is configuration.
    const settingsDir = /^(settings|config|conf|configuration)$/i.test(dir.split("/").pop() ?? "");
    for (const entry of await files.list(dir)) {
      if (entry.startsWith(".") || SKIPPED.test(entry)) continue;
      const path = dir === "." ? entry : `${dir}/${entry}`;
      if (CONFIG_FILE.test(entry) || (settingsDir && SOURCE.test(entry))) paths.push(path);
      else if (!entry.includes(".") && (await files.isDirectory(path))) await walk(path, depth + 1);
      if (paths.length >= MAX_FILES) return;
    }
  };
  await walk(appPath, 0);
  for (const path of paths) {
    const text = (await files.text(path)) ?? "";
    for (const pattern of READS) for (const m of text.matchAll(pattern)) found.add((m[1] ?? m[2])!);
  }
  return [...found];
}
