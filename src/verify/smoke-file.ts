import { resolve } from "node:path";
import type { z } from "zod";
import { didYouMean } from "../config/did-you-mean.js";
import { readTextFile } from "../config/text-file.js";
import {
  firstAlias,
  keyProblems,
  parseConfigYaml,
  plainData,
  YAML_FILE_LIMITS,
} from "../config/yaml-document.js";
import { aliasDiagnostic, keyDiagnostics, type YamlFileKind } from "../config/yaml-errors.js";
import { type ConfigPath, YamlLocator } from "../config/yaml-locate.js";
import { type Diagnostic, inputError, isShipgateError, ShipgateError } from "../errors.js";
import {
  CHECK_KEYS,
  EXPECT_KEYS,
  ROOT_KEYS,
  type SmokeCheckSchema,
  SmokeChecksSchema,
  SmokeFileObjectSchema,
} from "./smoke-schema.js";
import type { SmokeCheck } from "./types.js";

const CODE = "verify/smoke-file";
const FORMAT_HINT = "see the smoke file format in docs/verify.md";
const SMOKE_FILE: YamlFileKind = {
  keyCode: CODE,
  area: "verify",
  name: "a smoke file",
  renameHint: "rename it; a header or JSONPath key of that name cannot be checked",
};

/** Reads and validates a smoke file; bad input throws `ShipgateError` (exit 2) with file:line:column. */
export async function loadSmokeFile(options: { path: string; cwd?: string }): Promise<SmokeCheck[]> {
  let text: string;
  try {
    text = await readTextFile({
      path: resolve(options.cwd ?? process.cwd(), options.path),
      file: options.path,
      maxBytes: YAML_FILE_LIMITS.maxBytes,
      prefix: "verify",
    });
  } catch (error) {
    if (isShipgateError(error)) throw error;
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw inputError(CODE, `cannot read smoke file ${options.path}: ${reason}`, {
      hint: "pass the path of a YAML file of smoke checks, relative to the working directory",
    });
  }
  return parseSmokeFile({ text, file: options.path });
}

/** `file` is only used in error locations. */
export function parseSmokeFile(options: { text: string; file: string }): SmokeCheck[] {
  const { file, text } = options;
  const { doc, lineCounter } = parseConfigYaml(text);
  const locator = new YamlLocator({ doc, lineCounter, file, source: text });

  if (doc.errors.length > 0) {
    throw new ShipgateError(
      doc.errors.map((error) => ({
        code: CODE,
        message: `invalid YAML: ${error.message}`,
        location: locator.offset(error.pos[0]),
        hint: "fix the YAML syntax; a YAML linter or editor shows the structure",
      })),
    );
  }
  const keys = keyProblems(doc, YAML_FILE_LIMITS.maxEntries);
  if (keys.length > 0) throw new ShipgateError(keyDiagnostics(keys, locator, SMOKE_FILE));
  const plain = plainData(doc);
  if (!plain) throw new ShipgateError(aliasDiagnostic(firstAlias(doc.contents), locator, SMOKE_FILE));
  const data = plain.data;
  if (data === null || data === undefined) {
    throw inputError(CODE, "the smoke file is empty", { location: locator.offset(0), hint: FORMAT_HINT });
  }
  const isList = Array.isArray(data);
  if (!isList && (typeof data !== "object" || data === null)) {
    throw inputError(CODE, "a smoke file is a list of checks, or a mapping with a `checks:` list", {
      location: locator.offset(0),
      hint: "start with `checks:` followed by `- path: /health` entries",
    });
  }
  const result = isList ? SmokeChecksSchema.safeParse(data) : SmokeFileObjectSchema.safeParse(data);
  if (!result.success) {
    const diagnostics = result.error.issues.flatMap((issue) => toDiagnostics(issue, { locator, isList }));
    diagnostics.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
    throw new ShipgateError(diagnostics);
  }
  const checks = Array.isArray(result.data) ? result.data : result.data.checks;
  return checks.map(toSmokeCheck);
}

function toSmokeCheck(check: z.output<typeof SmokeCheckSchema>): SmokeCheck {
  const { expect } = check;
  return {
    name: check.name ?? `${check.method} ${check.path}`,
    path: check.path,
    method: check.method,
    headers: check.headers,
    ...(check.body !== undefined && { body: check.body as SmokeCheck["body"] }),
    expect: {
      ...(expect.status && { status: expect.status }),
      bodyContains: expect.bodyContains ?? [],
      json: expect.json ?? {},
      header: Object.fromEntries(Object.entries(expect.header ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    },
    ...(check.maxLatencyMs !== undefined && { maxLatencyMs: check.maxLatencyMs }),
    retries: check.retries,
  };
}

interface IssueContext {
  locator: YamlLocator;
  /** The file is a bare list, so issue paths start at the check index. */
  isList: boolean;
}

function toDiagnostics(issue: z.core.$ZodIssue, ctx: IssueContext): Diagnostic[] {
  const path = ctx.isList ? ["checks", ...issue.path] : [...issue.path];
  const docPath = issue.path as ConfigPath;
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeys(path);
    return issue.keys.map((key) => {
      const suggestion = didYouMean({ input: key, candidates: allowed });
      return {
        code: CODE,
        message: `unknown key "${key}" in ${describe(path)}`,
        location: ctx.locator.keyAt([...docPath, key]),
        hint: `${suggestion ? `did you mean "${suggestion}"? ` : ""}allowed keys: ${allowed.join(", ")}`,
      };
    });
  }
  if (issue.code === "invalid_key") {
    const message = issue.issues.map((inner) => inner.message).join("; ");
    return [
      {
        code: CODE,
        message: `${describe(path.slice(0, -1))}: ${message}`,
        location: ctx.locator.keyAt(docPath),
        hint: "use $, .key, ['key'], [index] and .length, such as $.orders[0].id or $.orders.length",
      },
    ];
  }
  return [
    {
      code: CODE,
      message: `${describe(path)}: ${issue.message}`,
      location: ctx.locator.valueAt(docPath),
      hint: hintFor(path),
    },
  ];
}

function allowedKeys(path: PropertyKey[]): string[] {
  const last = path.at(-1);
  if (path.length === 0) return ROOT_KEYS;
  if (last === "expect") return EXPECT_KEYS;
  return CHECK_KEYS;
}

function hintFor(path: PropertyKey[]): string {
  const parent = path.at(-2);
  if (parent === "header" || parent === "headers") {
    return 'quote values that YAML reads as numbers or booleans, such as x-app-version: "1.0"';
  }
  const field = path.findLast((segment) => typeof segment === "string");
  switch (field) {
    case "path":
      return "every check needs a path that starts with /, such as `path: /api/orders`";
    case "status":
      return "write `status: 200` or `status: [200, 201]`";
    case "method":
      return "use GET, POST, PUT, PATCH, DELETE or HEAD";
    case "checks":
      return "list at least one check, such as `- path: /health`";
    default:
      return FORMAT_HINT;
  }
}

/** `checks[1].expect.status`: where the problem is, in the words of the file. */
function describe(path: PropertyKey[]): string {
  if (path.length === 0) return "the smoke file";
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
