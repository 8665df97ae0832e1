import { z } from "zod";
import { ShipgateConfigSchema } from "./schema.js";

/**
 * Where the committed JSON Schema is published. `shipgate init` writes it into the
 * yaml-language-server comment on the first line, so editors complete and check keys.
 */
export const SCHEMA_URL =
  "https://raw.githubusercontent.com/shipgate/shipgate/main/schema/shipgate.schema.json";

/**
 * The JSON Schema of shipgate.yml, derived from the zod schema. `io: "input"` describes what a
 * user may write: keys with defaults are optional.
 */
export function configJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(ShipgateConfigSchema, { io: "input" }) as Record<
    string,
    unknown
  >;
  return { $schema, $id: SCHEMA_URL, title: "shipgate.yml", ...rest };
}

/** The committed file's exact text: 2-space JSON and a trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
