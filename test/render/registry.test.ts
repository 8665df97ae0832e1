import { readdir } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { TARGET_TYPES } from "../../src/config/schema.js";
import { GITHUB_TARGETS } from "../../src/render/github/targets/index.js";
import { RENDERERS } from "../../src/render/registry.js";

const entries = async (dir: string) =>
  readdir(new URL(`../../src/${dir}`, import.meta.url), { withFileTypes: true });

describe("registries match the code on disk", () => {
  test("every renderer folder is registered, and every registered renderer has a folder", async () => {
    const folders = (await entries("render")).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(Object.keys(RENDERERS).sort(), "register the folder in src/render/registry.ts").toEqual(
      folders.sort(),
    );
    for (const [id, renderer] of Object.entries(RENDERERS)) expect(renderer.id).toBe(id);
  });

  test("every target type in the schema has GitHub workflow pieces, one file each", async () => {
    const files = (await entries("render/github/targets"))
      .map((e) => e.name.replace(/\.ts$/, ""))
      .filter((n) => n !== "index" && n !== "types" && n !== "image");
    expect(Object.keys(GITHUB_TARGETS).sort()).toEqual([...TARGET_TYPES].sort());
    expect(files.sort(), "one file per target in src/render/github/targets/").toEqual(
      [...TARGET_TYPES].sort(),
    );
  });

  test("registries are written with sorted keys", () => {
    for (const registry of [RENDERERS, GITHUB_TARGETS]) {
      const keys = Object.keys(registry);
      expect(keys).toEqual([...keys].sort());
    }
  });
});
