import { z } from "zod";
import { listOf } from "./did-you-mean.js";
import type { ConfigPath } from "./yaml-locate.js";

/**
 * Reading the zod schema itself, so that error messages name the keys and values the schema
 * allows instead of a hand-kept copy that drifts.
 */

/** Strips the wrappers that do not change what a value looks like (defaults, optional, ...). */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodReadonly ||
      current instanceof z.ZodCatch
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/**
 * The schema that validates the value at `path`, given the raw data (needed to choose the
 * member of a union: the target whose `type` matches, the object form of a strategy).
 */
export function schemaAt(options: {
  schema: z.ZodType;
  path: ConfigPath;
  data: unknown;
  /** false: return a union at the end of the path as a whole instead of the member that fits. */
  resolveLeaf?: boolean;
}): z.ZodType | undefined {
  let schema: z.ZodType | undefined = options.schema;
  let data = options.data;
  for (const segment of options.path) {
    if (!schema) return undefined;
    const current = resolveUnion(unwrap(schema), data);
    data =
      isRecord(data) || Array.isArray(data) ? (data as Record<PropertyKey, unknown>)[segment] : undefined;
    if (current instanceof z.ZodObject)
      schema = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodRecord) schema = current.valueType as z.ZodType;
    else if (current instanceof z.ZodArray) schema = current.element as z.ZodType;
    else return undefined;
  }
  if (!schema) return undefined;
  return options.resolveLeaf === false ? unwrap(schema) : resolveUnion(unwrap(schema), data);
}

/** The keys an object schema allows, in schema order. */
export function knownKeys(schema: z.ZodType | undefined): string[] {
  const current = schema && unwrap(schema);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** For a union, the member that fits `data` best; anything else is returned unchanged. */
function resolveUnion(schema: z.ZodType, data: unknown): z.ZodType {
  if (!(schema instanceof z.ZodUnion)) return schema;
  const members = schema.options as z.ZodType[];
  const discriminator = discriminatorOf(schema);
  if (discriminator !== undefined && isRecord(data)) {
    const match = members.find((m) =>
      literalValues(knownShape(m)[discriminator]).includes(data[discriminator]),
    );
    if (match) return unwrap(match);
  }
  const passing = members.find((m) => m.safeParse(data).success);
  if (passing) return unwrap(passing);
  // Nothing parses: pick the member of the same kind, e.g. the object form for a mapping.
  const sameKind = members.find((m) => kindOf(unwrap(m)) === kindOfValue(data));
  return sameKind ? unwrap(sameKind) : schema;
}

export function discriminatorOf(schema: z.ZodType): string | undefined {
  return schema instanceof z.ZodDiscriminatedUnion ? String(schema.def.discriminator) : undefined;
}

/** The values a discriminated union's members declare for their discriminator, e.g. target types. */
export function discriminatorValues(schema: z.ZodType): string[] {
  const discriminator = discriminatorOf(schema);
  if (!(schema instanceof z.ZodUnion) || discriminator === undefined) return [];
  return (schema.options as z.ZodType[]).flatMap((m) =>
    literalValues(knownShape(m)[discriminator]).map((v) => String(v)),
  );
}

/** The literal values a schema accepts (enum options, literals, literal members of a union). */
export function literalValues(schema: z.ZodType | undefined): unknown[] {
  if (!schema) return [];
  const current = unwrap(schema);
  if (current instanceof z.ZodEnum) return [...current.options];
  if (current instanceof z.ZodLiteral) return [...current.values];
  if (current instanceof z.ZodUnion) return (current.options as z.ZodType[]).flatMap((m) => literalValues(m));
  return [];
}

/** What a value must look like, for messages: "a string", "one of node, python or go", ... */
export function describeExpected(schema: z.ZodType | undefined): string {
  if (!schema) return "a valid value";
  const current = unwrap(schema);
  if (current instanceof z.ZodString) return "a string";
  if (current instanceof z.ZodBoolean) return "true or false";
  if (current instanceof z.ZodNumber) return describeNumber(current);
  if (current instanceof z.ZodEnum || current instanceof z.ZodLiteral) {
    const values = literalValues(current).map((v) => String(v));
    return values.length === 1 ? String(values[0]) : `one of ${listOf(values)}`;
  }
  if (current instanceof z.ZodArray) return `a list of ${plural(current.element as z.ZodType)}`;
  if (current instanceof z.ZodDiscriminatedUnion) {
    return `a mapping with ${String(current.def.discriminator)}: ${listOf(discriminatorValues(current))}`;
  }
  if (current instanceof z.ZodUnion) {
    const parts = (current.options as z.ZodType[]).map((m) => {
      const inner = unwrap(m);
      return inner instanceof z.ZodObject
        ? `a mapping with ${listOf(knownKeys(inner))}`
        : describeExpected(inner);
    });
    return listOf(parts.map((p) => p.replace(/^one of /, "")));
  }
  if (current instanceof z.ZodObject || current instanceof z.ZodRecord) return "a mapping";
  return "a valid value";
}

function describeNumber(schema: z.ZodNumber): string {
  const noun = schema.isInt ? "a whole number" : "a number";
  let min: { value: number; inclusive: boolean } | undefined;
  let max: { value: number; inclusive: boolean } | undefined;
  for (const check of schema.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: unknown; inclusive?: boolean };
    if (typeof def.value !== "number") continue;
    if (def.check === "greater_than") min = { value: def.value, inclusive: def.inclusive ?? true };
    if (def.check === "less_than") max = { value: def.value, inclusive: def.inclusive ?? true };
  }
  if (min?.inclusive && max?.inclusive) return `${noun} from ${min.value} to ${max.value}`;
  const parts = [
    min && `${min.inclusive ? "≥" : ">"} ${min.value}`,
    max && `${max.inclusive ? "≤" : "<"} ${max.value}`,
  ].filter(Boolean);
  return parts.length ? `${noun} ${parts.join(" and ")}` : noun;
}

function plural(element: z.ZodType): string {
  const current = unwrap(element);
  if (current instanceof z.ZodString) return "strings";
  if (current instanceof z.ZodNumber)
    return describeNumber(current).replace(/^an? (whole )?number/, "$1numbers");
  if (current instanceof z.ZodEnum || current instanceof z.ZodLiteral) {
    return `values from ${listOf(literalValues(current).map(String))}`;
  }
  return "items";
}

function knownShape(schema: z.ZodType): Record<string, z.ZodType> {
  const current = unwrap(schema);
  return current instanceof z.ZodObject ? (current.shape as Record<string, z.ZodType>) : {};
}

type Kind = "object" | "array" | "string" | "number" | "boolean" | "other";

function kindOf(schema: z.ZodType): Kind {
  if (schema instanceof z.ZodObject || schema instanceof z.ZodRecord) return "object";
  if (schema instanceof z.ZodArray) return "array";
  if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return "string";
  if (schema instanceof z.ZodNumber) return "number";
  if (schema instanceof z.ZodBoolean) return "boolean";
  if (schema instanceof z.ZodLiteral) return kindOfValue([...schema.values][0]);
  return "other";
}

function kindOfValue(value: unknown): Kind {
  if (Array.isArray(value)) return "array";
  if (isRecord(value)) return "object";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  return "other";
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
