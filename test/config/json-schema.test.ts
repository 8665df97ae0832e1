import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { configJsonSchema, configJsonSchemaText, SCHEMA_URL } from "../../src/config/json-schema.js";

const FILE = new URL("../../schema/shipgate.schema.json", import.meta.url);

describe("schema/shipgate.schema.json", () => {
  test("matches the zod schema", async () => {
    const expected = configJsonSchemaText();
    // UPDATE_SCHEMA=1 rewrites the committed file instead of comparing against it.
    if (process.env.UPDATE_SCHEMA) await writeFile(FILE, expected);
    const actual = await readFile(FILE, "utf8").catch(() => "");
    expect(
      actual,
      "schema/shipgate.schema.json is out of date: run UPDATE_SCHEMA=1 npx vitest run test/config/json-schema.test.ts",
    ).toBe(expected);
  });

  test("is identified by the URL init writes into shipgate.yml", () => {
    const schema = configJsonSchema();
    expect(schema.$id).toBe(SCHEMA_URL);
    expect(schema.title).toBe("shipgate.yml");
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  test("describes what a user writes: defaults optional, unknown keys rejected", () => {
    const schema = configJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, unknown>;
    };
    expect(schema.required).toEqual(["app", "environments"]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["version", "app", "artifact", "ci", "environments", "notifications", "aws"]),
    );
  });
});
