import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { renderCliReference } from "../../src/docs/cli-reference.js";
import { renderConfigReference } from "../../src/docs/config-reference.js";
import { renderRulesIndex } from "../../src/docs/rules-index.js";

const GENERATED = [
  { file: "docs/configuration.md", render: renderConfigReference },
  { file: "docs/cli.md", render: renderCliReference },
  { file: "docs/rules/README.md", render: renderRulesIndex },
];

describe("generated documentation is up to date", () => {
  test.each(GENERATED)("$file", async ({ file, render }) => {
    const expected = render();
    const path = new URL(`../../${file}`, import.meta.url);
    if (process.env.UPDATE_DOCS) await writeFile(path, expected);
    const actual = await readFile(path, "utf8").catch(() => "");
    expect(actual, `${file} is out of date: run UPDATE_DOCS=1 npx vitest run test/docs`).toBe(expected);
  });

  test("the configuration reference names every section and target", () => {
    const text = renderConfigReference();
    for (const key of [
      "app.name",
      "artifact.registry",
      "ci.coverage.minimum",
      "environments.<name>.promoteFrom",
      "aws.roleArn",
    ]) {
      expect(text).toContain(`\`${key}\``);
    }
    for (const type of ["ecs", "kubernetes", "local"]) expect(text).toContain(`{type: ${type}}`);
  });
});
