import { z } from "zod";
import { discriminatorOf, isRecord, literalValues, unwrap } from "../../src/config/schema-walk.js";

export type ConfigPath = Array<string | number>;

/** One string-valued key of the schema, and where the given data holds it (null: nowhere). */
export interface StringField {
  /** `environments.<name>.target{type: ecs}.cluster`, as docs/configuration.md names keys. */
  key: string;
  path: ConfigPath | null;
}

/**
 * Every string the schema accepts, read from the schema itself so that a field added later is
 * covered without touching the tests. Records and arrays are entered through the data's own
 * entries; a union member the data does not choose is listed with no path.
 */
export function stringFields(schema: z.ZodType, data: unknown): StringField[] {
  const fields: StringField[] = [];
  walk(unwrap(schema), data, [], "", fields);
  return fields;
}

function walk(schema: z.ZodType, data: unknown, path: ConfigPath | null, key: string, out: StringField[]) {
  if (schema instanceof z.ZodString) {
    out.push({ key, path: path && typeof data === "string" ? path : null });
    return;
  }
  const child = (name: string | number) => (path && isRecord(data) ? [...path, name] : null);
  if (schema instanceof z.ZodObject) {
    for (const [name, inner] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const value = isRecord(data) ? data[name] : undefined;
      walk(unwrap(inner), value, child(name), key ? `${key}.${name}` : name, out);
    }
  } else if (schema instanceof z.ZodRecord) {
    const entries = isRecord(data) ? Object.entries(data) : [];
    const valueType = unwrap(schema.valueType as z.ZodType);
    if (entries.length === 0) walk(valueType, undefined, null, `${key}.<name>`, out);
    for (const [name, value] of entries) walk(valueType, value, child(name), `${key}.<name>`, out);
  } else if (schema instanceof z.ZodArray) {
    const first = Array.isArray(data) ? data[0] : undefined;
    const itemPath = path && Array.isArray(data) && data.length > 0 ? [...path, 0] : null;
    walk(unwrap(schema.element as z.ZodType), first, itemPath, `${key}[]`, out);
  } else if (schema instanceof z.ZodUnion) {
    const discriminator = discriminatorOf(schema);
    for (const member of schema.options as z.ZodType[]) {
      const inner = unwrap(member);
      const label =
        discriminator === undefined
          ? ""
          : `{${discriminator}: ${String(literalValues((inner as z.ZodObject).shape[discriminator])[0])}}`;
      const chosen =
        discriminator === undefined
          ? inner.safeParse(data).success || (isRecord(data) && inner instanceof z.ZodObject)
          : isRecord(data) &&
            literalValues((inner as z.ZodObject).shape[discriminator]).includes(data[discriminator]);
      walk(inner, chosen ? data : undefined, chosen ? path : null, `${key}${label}`, out);
    }
  }
}
