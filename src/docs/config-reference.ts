import { z } from "zod";
import { MAX_ENVIRONMENTS } from "../config/cross-checks.js";
import { ShipgateConfigSchema } from "../config/schema.js";
import { YAML_FILE_LIMITS } from "../config/yaml-document.js";

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  additionalProperties?: JsonSchemaNode | boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

interface Row {
  key: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

/** docs/configuration.md: every key of shipgate.yml, read from the schema itself. */
export function renderConfigReference(): string {
  const schema = z.toJSONSchema(ShipgateConfigSchema, { io: "input" }) as JsonSchemaNode;
  const rows: Row[] = [];
  walk(schema, "", rows, true);
  const lines = [
    "# Configuration reference",
    "",
    "Every key of `shipgate.yml`. Generated from the schema (`src/config/schema.ts`), which also",
    "validates the file and produces `schema/shipgate.schema.json` for editor completion;",
    "`npx vitest run test/docs` fails when this page drifts (`UPDATE_DOCS=1` rewrites it).",
    "",
    "Unknown keys are errors, with a did-you-mean: a misspelt setting never silently does nothing.",
    "",
    ...limits(),
    "",
    "| key | type | required | default | description |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| \`${r.key}\` | ${escapeCell(r.type)} | ${r.required ? "yes" : ""} | ${r.default ? `\`${escapeCell(r.default)}\`` : ""} | ${escapeCell(r.description)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** The limits the loader holds a file to, from the constants it uses. */
function limits(): string[] {
  const { maxBytes, maxEntries } = YAML_FILE_LIMITS;
  return [
    "The file must be UTF-8 (`config/invalid-utf8`, at the first invalid byte) and is held to limits",
    "far above any real configuration, each refused with exit code 2, its own error code and a position:",
    `at most ${maxBytes / (1024 * 1024)} MiB (\`config/too-large\`; a device or pipe is \`config/not-a-file\`), at most`,
    `${maxEntries.toLocaleString("en")} entries in any mapping or list (\`config/too-many-entries\`), at most ${MAX_ENVIRONMENTS}`,
    "environments (`config/too-many-environments`), and aliases that expand to no more than the YAML",
    "parser allows (`config/alias-expansion`). No key may be named `__proto__`.",
  ];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function typeOf(node: JsonSchemaNode): string {
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  const variants = node.anyOf ?? node.oneOf;
  if (variants) return variants.map(typeOf).join(" or ");
  if (node.type === "array") return `list of ${node.items ? typeOf(node.items) : "values"}`;
  if (
    node.type === "object" &&
    node.additionalProperties &&
    typeof node.additionalProperties === "object" &&
    !node.properties
  ) {
    return "map";
  }
  return Array.isArray(node.type) ? node.type.join(" or ") : (node.type ?? "any");
}

function walk(node: JsonSchemaNode, path: string, rows: Row[], required: boolean): void {
  if (path) {
    rows.push({
      key: path,
      type: typeOf(node),
      required,
      // An object's default is the sum of its keys' defaults, listed on their own rows.
      default: node.default === undefined || node.type === "object" ? "" : JSON.stringify(node.default),
      description: [node.description, node.pattern ? `pattern \`${node.pattern}\`` : ""]
        .filter(Boolean)
        .join("; "),
    });
  }
  if (node.properties) {
    for (const [key, child] of Object.entries(node.properties)) {
      if (key === "$schema") continue;
      walk(child, path ? `${path}.${key}` : key, rows, node.required?.includes(key) ?? false);
    }
  }
  if (node.additionalProperties && typeof node.additionalProperties === "object") {
    walk(node.additionalProperties, `${path}.<name>`, rows, false);
  }
  const variants = node.anyOf ?? node.oneOf;
  if (variants) {
    for (const variant of variants) {
      if (!variant.properties) continue;
      const label = variant.properties.type?.const;
      const prefix = label === undefined ? path : `${path}{type: ${String(label)}}`;
      for (const [key, child] of Object.entries(variant.properties)) {
        if (key === "type" && label !== undefined) continue;
        walk(child, `${prefix}.${key}`, rows, variant.required?.includes(key) ?? false);
      }
    }
  }
  if (node.items?.properties) walk(node.items, `${path}[]`, rows, false);
}
