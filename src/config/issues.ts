import type { z } from "zod";
import type { Diagnostic } from "../errors.js";
import { didYouMean, listOf } from "./did-you-mean.js";
import {
  describeExpected,
  discriminatorOf,
  discriminatorValues,
  isRecord,
  knownKeys,
  literalValues,
  schemaAt,
} from "./schema-walk.js";
import type { ConfigPath, YamlLocator } from "./yaml-locate.js";

type Issue = z.core.$ZodIssue;

export interface IssueContext {
  schema: z.ZodType;
  /** The document as plain data, exactly as zod saw it. */
  data: unknown;
  locator: YamlLocator;
}

/** Turns zod's issues into diagnostics that name the key, the position and the fix. */
export function issueDiagnostics(issues: readonly Issue[], ctx: IssueContext): Diagnostic[] {
  return issues.flatMap((issue) => toDiagnostics(issue, ctx));
}

function toDiagnostics(issue: Issue, ctx: IssueContext): Diagnostic[] {
  const path = issue.path as ConfigPath;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => unknownKey(path, key, ctx));
    case "invalid_union":
      return [invalidUnion(issue, path, ctx)];
    case "invalid_key":
      return [invalidKey(issue, path, ctx)];
    default:
      if (!has(ctx.data, path)) return [missingKey(path, ctx)];
      return [invalidValue(issue, path, ctx)];
  }
}

function unknownKey(parent: ConfigPath, key: string, ctx: IssueContext): Diagnostic {
  const known = knownKeys(schemaAt({ schema: ctx.schema, path: parent, data: ctx.data }));
  const suggestion = didYouMean({ input: key, candidates: known });
  return {
    code: "config/unknown-key",
    message: `unknown key "${key}" ${where(parent)}`,
    location: ctx.locator.keyAt([...parent, key]),
    hint: suggestion
      ? `did you mean "${suggestion}"?`
      : known.length
        ? `allowed keys: ${known.join(", ")}`
        : "remove it; nothing is allowed here",
  };
}

function missingKey(path: ConfigPath, ctx: IssueContext): Diagnostic {
  const parent = path.slice(0, -1);
  const key = String(path.at(-1));
  const expected = describeExpected(fieldSchema(path, ctx));
  return {
    code: "config/invalid",
    message: `missing required key "${key}" ${where(parent)}`,
    location: ctx.locator.valueAt(parent),
    hint: expected === "a mapping" ? `add the "${key}:" section` : `add ${key}: (${expected})`,
  };
}

/** A union whose members all failed: an unknown target type, or a strategy that is none of the forms. */
function invalidUnion(issue: z.core.$ZodIssueInvalidUnion, path: ConfigPath, ctx: IssueContext): Diagnostic {
  const { discriminator } = issue;
  if (discriminator !== undefined && path.at(-1) === discriminator) {
    const union = fieldSchema(path.slice(0, -1), ctx);
    const options =
      union && discriminatorOf(union)
        ? discriminatorValues(union)
        : ("options" in issue ? (issue.options ?? []) : []).map(String);
    if (!has(ctx.data, path)) {
      return { ...missingKey(path, ctx), hint: `add ${discriminator}: with one of ${options.join(", ")}` };
    }
    const value = valueAt(ctx.data, path);
    const suggestion =
      typeof value === "string" ? didYouMean({ input: value, candidates: options }) : undefined;
    const isTarget = path.at(-2) === "target";
    return {
      code: isTarget ? "config/unknown-target" : "config/invalid",
      message: `unknown ${isTarget ? "target " : ""}${discriminator} ${show(value)} ${where(path.slice(0, -1))}; expected one of ${listOf(options)}`,
      location: ctx.locator.valueAt(path),
      hint: suggestion ? `did you mean "${suggestion}"?` : `use one of: ${options.join(", ")}`,
    };
  }
  const member = fieldSchema(path, ctx);
  const value = valueAt(ctx.data, path);
  const options = literalValues(member).map(String);
  const suggestion =
    typeof value === "string" ? didYouMean({ input: value, candidates: options }) : undefined;
  return {
    code: "config/invalid",
    message: `invalid value ${show(value)} for ${dotted(path)}: expected ${describeExpected(member)}`,
    location: ctx.locator.valueAt(path),
    hint: suggestion
      ? `did you mean "${suggestion}"?`
      : `set ${lastKey(path)} to ${describeExpected(member)}`,
  };
}

/** The declared schema of the key at `path`; a union there stays whole (the data did not fit it). */
function fieldSchema(path: ConfigPath, ctx: IssueContext): z.ZodType | undefined {
  return schemaAt({ schema: ctx.schema, path, data: ctx.data, resolveLeaf: false });
}

function invalidKey(issue: z.core.$ZodIssueInvalidKey, path: ConfigPath, ctx: IssueContext): Diagnostic {
  const key = String(path.at(-1));
  const pattern = issue.issues
    .map((i) => (i.code === "invalid_format" && "pattern" in i ? String(i.pattern) : undefined))
    .find(Boolean);
  const suggestion = key
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+|-+$/g, "");
  const valid = pattern ? new RegExp(pattern.slice(1, -1)).test(suggestion) : false;
  return {
    code: "config/invalid",
    message: `invalid name "${key}" ${where(path.slice(0, -1))}: use lower-case letters, digits and dashes, starting with a letter, at most 63 characters`,
    location: ctx.locator.keyAt(path),
    hint:
      valid && suggestion !== key
        ? `rename it to "${suggestion}"`
        : `rename it to match ${pattern ?? "the allowed pattern"}`,
  };
}

function invalidValue(issue: Issue, path: ConfigPath, ctx: IssueContext): Diagnostic {
  const value = valueAt(ctx.data, path);
  const schema = fieldSchema(path, ctx);
  const expected = describeExpected(schema);
  const key = lastKey(path);
  const location = ctx.locator.valueAt(path);
  const diagnostic = (message: string, hint: string): Diagnostic => ({
    code: "config/invalid",
    message,
    location,
    hint,
  });

  switch (issue.code) {
    case "invalid_type": {
      const message = `${dotted(path)} must be ${expected}, not ${describeValue(value)}`;
      // YAML reads 3.10 as the number 3.1 and `yes` as a string: quoting keeps what was written.
      if (issue.expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
        const written = ctx.locator.textAt(path) ?? String(value);
        return diagnostic(message, `quote it so YAML keeps it as text: ${key}: "${written}"`);
      }
      return diagnostic(message, `set ${key} to ${expected}`);
    }
    case "invalid_value": {
      const options = issue.values.map(String);
      const suggestion =
        typeof value === "string" ? didYouMean({ input: value, candidates: options }) : undefined;
      return diagnostic(
        `invalid value ${show(value)} for ${dotted(path)}: expected ${options.length === 1 ? options[0] : `one of ${listOf(options)}`}`,
        suggestion
          ? `did you mean "${suggestion}"?`
          : options.length === 1
            ? `set ${key} to ${options[0]}`
            : `use one of: ${options.join(", ")}`,
      );
    }
    case "invalid_format": {
      if (issue.format === "starts_with" && "prefix" in issue) {
        const prefix = String(issue.prefix);
        return diagnostic(
          `${dotted(path)} must start with "${prefix}", got ${show(value)}`,
          `write it as "${prefix}${String(value)}"`,
        );
      }
      if (issue.format === "url") {
        return diagnostic(
          `${dotted(path)} must be an absolute http or https URL, got ${show(value)}`,
          "include the scheme, e.g. https://staging.example.com",
        );
      }
      // Regexes in the schema carry a readable description as their message.
      const described = issue.message.startsWith("Invalid") ? `the format ${issue.format}` : issue.message;
      return diagnostic(
        `invalid value ${show(value)} for ${dotted(path)}: expected ${described}`,
        `set ${key} to ${described}`,
      );
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const word = issue.code === "too_small" ? "at least" : "at most";
      if (issue.origin === "array") {
        return diagnostic(
          `${dotted(path)} must have ${word} ${bound} item${bound === 1 ? "" : "s"}`,
          issue.code === "too_small"
            ? `add ${bound === 1 ? "an item" : "items"} to ${key}`
            : `remove items from ${key}`,
        );
      }
      if (issue.origin === "string") {
        return diagnostic(`${dotted(path)} must be ${word} ${bound} characters long`, `change ${key}`);
      }
      const strict = issue.inclusive === false;
      const relation =
        issue.code === "too_small"
          ? strict
            ? "greater than"
            : "at least"
          : strict
            ? "less than"
            : "at most";
      return diagnostic(
        `${dotted(path)} must be ${relation} ${bound}, got ${show(value)}`,
        `set ${key} to ${expected}`,
      );
    }
    case "custom": {
      // Refinements in the schema carry their own fix (see workflow-values.ts).
      const hint = issue.params?.hint;
      return diagnostic(
        `${dotted(path)} ${issue.message}`,
        typeof hint === "string" ? hint : `set ${key} to ${expected}`,
      );
    }
    default:
      return diagnostic(`${dotted(path)}: ${issue.message}`, `set ${key} to ${expected}`);
  }
}

/** "in app.commands", or "at the top level" for the root. */
function where(parent: ConfigPath): string {
  return parent.length ? `in ${dotted(parent)}` : "at the top level";
}

/** `environments.staging.target`, `ci.branches[0]`. */
export function dotted(path: ConfigPath): string {
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
}

function lastKey(path: ConfigPath): string {
  const key = [...path].reverse().find((s) => typeof s !== "number");
  return key === undefined ? "it" : String(key);
}

function has(data: unknown, path: ConfigPath): boolean {
  let current = data;
  for (const segment of path) {
    if (!(isRecord(current) || Array.isArray(current))) return false;
    if (!Object.hasOwn(current, segment)) return false;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return true;
}

function valueAt(data: unknown, path: ConfigPath): unknown {
  let current = data;
  for (const segment of path) {
    if (!(isRecord(current) || Array.isArray(current))) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value === "number" ? "the number" : ""} ${String(value)}`.trim();
}
