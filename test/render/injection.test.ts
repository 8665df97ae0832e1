import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type Language, LanguageSchema, ShipgateConfigSchema } from "../../src/config/schema.js";
import { buildPipeline } from "../../src/pipeline/build.js";
import { RENDERERS } from "../../src/render/registry.js";
import type { RenderedFile } from "../../src/render/types.js";
import { fullConfigInput, type TargetVariant } from "./full-config.js";
import { type ConfigPath, stringFields } from "./string-fields.js";

/** What an attacker, or a careless paste, puts in a value: each must stay data wherever it lands. */
const METACHARACTERS = ["", "$(id)", "`id`", ";id", "&id", "|id", "'", '"', "${{ github.token }}", "\nid"];

/**
 * The shapes a field's grammar may need around a payload: appended to its value, or as a path
 * segment. A marker per field keeps two fields that share a value (app.name, a service) apart.
 */
function candidates(base: string, payload: string, field: number): string[] {
  const marker = `sg${field}z`;
  return [`${base}${payload}${marker}`, `${base}/${payload}${marker}`];
}

/** Fields that hold shell commands (`app.commands.test: npm test`, `app.setup: [corepack enable]`). */
const SHELL_COMMANDS = /^app\.(commands\.|setup\[\])/;

interface Combination {
  label: string;
  target: TargetVariant;
  registry: "ecr" | "ghcr";
  language: Language;
}

const COMBINATIONS: Combination[] = [
  ...(["ecs", "eks", "kubernetes"] as const).flatMap((target) =>
    (["ecr", "ghcr"] as const).map((registry) => ({ target, registry, language: "node" as Language })),
  ),
  { target: "local" as const, registry: "ecr" as const, language: "node" as Language },
  ...LanguageSchema.options
    .filter((language) => language !== "node")
    .map((language) => ({ target: "ecs" as const, registry: "ecr" as const, language })),
].map((c) => ({ ...c, label: `${c.target}/${c.registry}/${c.language}` }));

function accepts(input: unknown): boolean {
  const result = ShipgateConfigSchema.safeParse(input);
  if (!result.success) return false;
  try {
    buildPipeline({ config: result.data });
    return true;
  } catch {
    return false;
  }
}

function renderAll(input: unknown): RenderedFile[] {
  const model = buildPipeline({ config: ShipgateConfigSchema.parse(input), shipgateVersion: "0.1.0" });
  return Object.values(RENDERERS).flatMap((renderer) =>
    renderer.render(model).map((f) => ({ ...f, path: `${renderer.id}:${f.path}` })),
  );
}

/** The scripts (`run:`) and conditions (`if:`, an expression as a whole) of every file, and its `${{ }}` uses. */
function codeOf(files: RenderedFile[]) {
  const scripts: Array<{ file: string; kind: string; text: string }> = [];
  const expressions = new Map<string, number>();
  const visit = (file: string, node: unknown) => {
    if (typeof node === "string") {
      for (const [expression] of node.matchAll(/\$\{\{[\s\S]*?\}\}/g)) {
        expressions.set(expression, (expressions.get(expression) ?? 0) + 1);
      }
    } else if (Array.isArray(node)) {
      for (const item of node) visit(file, item);
    } else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        visit(file, key);
        visit(file, value);
        if ((key === "run" || key === "if") && typeof value === "string") {
          scripts.push({ file, kind: key, text: value });
        }
      }
    }
  };
  for (const file of files) visit(file.path, parse(file.body));
  return { scripts, expressions };
}

function withValue(input: unknown, path: ConfigPath, value: string): unknown {
  const copy = structuredClone(input) as Record<string | number, unknown>;
  let node = copy;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

function valueAt(input: unknown, path: ConfigPath): string {
  return path.reduce<unknown>(
    (node, segment) => (node as Record<string | number, unknown>)[segment],
    input,
  ) as string;
}

describe("no value of shipgate.yml is pasted into a script or becomes an expression", () => {
  test("the base configuration sets every string key of the schema", () => {
    const keys = new Map<string, boolean>();
    for (const c of COMBINATIONS) {
      for (const field of stringFields(ShipgateConfigSchema, fullConfigInput(c))) {
        keys.set(field.key, (keys.get(field.key) ?? false) || field.path !== null);
      }
    }
    const unset = [...keys].filter(([, set]) => !set).map(([key]) => key);
    expect(unset, "set these keys in test/render/full-config.ts").toEqual([]);
  });

  test.each(COMBINATIONS)(
    "$label: every string field, every metacharacter",
    ({ label: _, ...combination }) => {
      const input = fullConfigInput(combination);
      const allowed = codeOf(renderAll(input)).expressions;
      const fields = stringFields(ShipgateConfigSchema, input).filter((f) => f.path !== null);
      const problems: string[] = [];
      let fed = 0;
      for (const payload of METACHARACTERS) {
        // Every field that accepts the payload gets it at once: one render per payload, not per field.
        const changes = fields.flatMap(({ key, path }, index) => {
          const value = candidates(valueAt(input, path!), payload, index).find((v) =>
            accepts(withValue(input, path!, v)),
          );
          return value === undefined ? [] : [{ key, path: path!, value }];
        });
        fed += changes.length;
        const changed = changes.reduce<unknown>((data, c) => withValue(data, c.path, c.value), input);
        expect(accepts(changed), `payload ${JSON.stringify(payload)} in every field that takes it`).toBe(
          true,
        );
        let code: ReturnType<typeof codeOf>;
        try {
          code = codeOf(renderAll(changed));
        } catch (error) {
          problems.push(`payload ${JSON.stringify(payload)}: ${(error as Error).message.split("\n")[0]}`);
          continue;
        }
        for (const { key, value } of changes) {
          // A command is shell by intent and runs as written; only `${{` in it is refused.
          if (SHELL_COMMANDS.test(key)) continue;
          for (const script of code.scripts.filter((s) => s.text.includes(value))) {
            problems.push(`${key} = ${JSON.stringify(value)} is pasted into ${script.file} ${script.kind}:`);
          }
        }
        for (const [expression, count] of code.expressions) {
          if (count > (allowed.get(expression) ?? 0)) {
            const from = changes.filter((c) => c.value.includes("${{")).map((c) => c.key);
            problems.push(`the expression ${expression} comes from shipgate.yml (${from.join(", ")})`);
          }
        }
      }
      expect(fed).toBeGreaterThan(50);
      expect([...new Set(problems)]).toEqual([]);
    },
  );
});
