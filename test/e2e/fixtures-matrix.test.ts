import { readdir } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { TARGET_TYPES } from "../../src/config/schema.js";
import { detectProject } from "../../src/detect/index.js";
import { renderConfig } from "../../src/init/index.js";
import { buildPipeline } from "../../src/pipeline/build.js";
import { githubRenderer } from "../../src/render/github/index.js";
import { validateWorkflow } from "../support/validate-workflow.js";

const REPOS = new URL("../fixtures/repos/", import.meta.url);
const fixtures = (await readdir(REPOS, { withFileTypes: true }))
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/**
 * The promise of `init` + `generate`: whatever repository a team points shipgate at, for
 * every target, the pipeline it gets is valid the first time.
 */
describe("every fixture repository × every target: init's config generates valid workflows", () => {
  test("there are fixture repositories to run", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  describe.each(fixtures)("%s", (fixture) => {
    test.each([...TARGET_TYPES])("target %s", async (target) => {
      const detection = await detectProject({ root: new URL(fixture, REPOS).pathname });
      const text = renderConfig({ detection, target });
      const config = parseConfig({ text, file: "shipgate.yml" });
      const files = githubRenderer.render(buildPipeline({ config, shipgateVersion: "0.1.0" }));
      expect(files).toHaveLength(2 + Object.keys(config.environments).length);
      for (const file of files) {
        expect(await validateWorkflow(file.body, file.path), `${fixture}/${target}: ${file.path}`).toEqual(
          [],
        );
      }
    });
  });
});
