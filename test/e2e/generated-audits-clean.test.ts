import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../src/audit/engine.js";
import { atOrAbove } from "../../src/audit/index.js";
import { buildPipeline } from "../../src/pipeline/build.js";
import { githubRenderer } from "../../src/render/github/index.js";
import { LANGUAGE_APPS, sampleConfig } from "../render/configs.js";

const TARGETS = ["ecs", "kubernetes", "local"] as const;

/** shipgate's own generator must satisfy shipgate's own auditor. */
describe("everything generate produces audits with no finding at warning or above", () => {
  test.each(
    TARGETS.flatMap((target) =>
      LANGUAGE_APPS.flatMap((app, i) =>
        (["ecr", "ghcr"] as const).map(
          (registry) => [target, app.language ?? "node", app.packageManager ?? "npm", registry, i] as const,
        ),
      ),
    ),
  )("%s / %s (%s) / %s", (target, _language, _pm, registry, index) => {
    const config = sampleConfig({ target, app: LANGUAGE_APPS[index], registry });
    const files = githubRenderer.render(buildPipeline({ config, shipgateVersion: "0.1.0" }));
    const result = auditWorkflows({ files: files.map((f) => ({ path: f.path, text: f.body })) });
    expect(result.failures).toEqual([]);
    const problems = atOrAbove(result.findings, "warning").map(
      (f) => `${f.file}:${f.region.startLine} ${f.ruleId}: ${f.message}`,
    );
    expect(problems).toEqual([]);
  });
});
