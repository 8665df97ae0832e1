import { resolve } from "node:path";
import { type Diagnostic, isShipgateError, ShipgateError } from "../errors.js";
import { crossFieldDiagnostics, environmentCountDiagnostics } from "./cross-checks.js";
import { issueDiagnostics } from "./issues.js";
import { type ShipgateConfig, ShipgateConfigSchema } from "./schema.js";
import { readTextFile } from "./text-file.js";
import { firstAlias, keyProblems, parseConfigYaml, plainData, YAML_FILE_LIMITS } from "./yaml-document.js";
import { aliasDiagnostic, CONFIG_FILE, keyDiagnostics, yamlDiagnostics } from "./yaml-errors.js";
import { YamlLocator } from "./yaml-locate.js";

export interface LoadedConfig {
  /** The validated configuration with every default filled in. */
  config: ShipgateConfig;
  /** Absolute path of the file that was read. */
  path: string;
  /** The file's text, as read. */
  source: string;
}

/** Reads and validates a shipgate.yml; every problem comes back at once as a ShipgateError. */
export async function loadConfig(options: { path: string }): Promise<LoadedConfig> {
  const path = resolve(options.path);
  let source: string;
  try {
    source = await readTextFile({ path, file: path, maxBytes: YAML_FILE_LIMITS.maxBytes, prefix: "config" });
  } catch (error) {
    throw isShipgateError(error) ? error : readError(path, error);
  }
  return { config: parseConfig({ text: source, file: path }), path, source };
}

/**
 * Parses and validates config text. `file` only labels the diagnostics. Pure, so tests and
 * editors can validate text that is not on disk.
 */
export function parseConfig(options: { text: string; file: string }): ShipgateConfig {
  const { text, file } = options;
  const { doc, lineCounter } = parseConfigYaml(text);
  const locator = new YamlLocator({ doc, lineCounter, file, source: text });
  if (doc.errors.length > 0) fail(yamlDiagnostics({ errors: doc.errors, locator }));
  const keys = keyProblems(doc, YAML_FILE_LIMITS.maxEntries);
  if (keys.length > 0) fail(keyDiagnostics(keys, locator, CONFIG_FILE));
  const plain = plainData(doc);
  if (!plain) fail([aliasDiagnostic(firstAlias(doc.contents), locator, CONFIG_FILE)]);

  const data = plain.data;
  if (data === null || data === undefined) {
    fail([
      {
        code: "config/invalid",
        message: "the configuration file is empty",
        location: locator.offset(0),
        hint: 'run "shipgate init" to write one with comments',
      },
    ]);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    fail([
      {
        code: "config/invalid",
        message: "the configuration must be a mapping of keys (version, app, environments, ...)",
        location: locator.valueAt([]),
        hint: "start the file with keys such as version: 1 and app:",
      },
    ]);
  }

  const count = environmentCountDiagnostics({ data, locator });
  if (count.length > 0) fail(count);
  const result = ShipgateConfigSchema.safeParse(data);
  const diagnostics = [
    ...(result.success
      ? []
      : issueDiagnostics(result.error.issues, { schema: ShipgateConfigSchema, data, locator })),
    ...crossFieldDiagnostics({ data, locator }),
  ];
  if (diagnostics.length > 0 || !result.success) fail(diagnostics);
  return result.data;
}

function fail(diagnostics: Diagnostic[]): never {
  throw new ShipgateError(sortByPosition(dedupe(diagnostics)), { exitCode: 2 });
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.code, d.message, d.location]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.location?.line ?? Number.MAX_SAFE_INTEGER) - (b.location?.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0),
  );
}

function readError(path: string, error: unknown): ShipgateError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return new ShipgateError(
      {
        code: "config/not-found",
        message: `no configuration file at ${path}`,
        hint: 'run "shipgate init" to create one',
      },
      { exitCode: 2 },
    );
  }
  return new ShipgateError(
    {
      code: "config/unreadable",
      message: `cannot read ${path}: ${(error as Error).message}`,
      hint:
        code === "EISDIR" ? "point --config at the file, not its directory" : "check the file's permissions",
    },
    { exitCode: 2 },
  );
}
