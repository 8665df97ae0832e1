import { describe, expect, test } from "vitest";
import { buildPipeline } from "../../src/pipeline/build.js";
import { renderPlan } from "../../src/plan/index.js";
import { sampleConfig } from "../render/configs.js";

describe("renderPlan", () => {
  const model = buildPipeline({ config: sampleConfig({ target: "ecs" }), shipgateVersion: "0.1.0" });
  const plan = renderPlan(model);

  test("has the design document's sections", () => {
    for (const heading of [
      "## Pipeline summary",
      "## Pipeline architecture",
      "## Quality gates",
      "## Deployment strategy",
      "## Rollback decision tree",
      "## DORA metrics",
      "## Set-up checklist",
    ]) {
      expect(plan).toContain(heading);
    }
  });

  test("the quality-gate matrix has a row per gate with the configured thresholds", () => {
    const rows = plan
      .split("\n")
      .filter((l) => /^\| (Build|Test|Security|Performance|Deploy|Compliance) \|/.test(l));
    expect(rows).toHaveLength(model.gates.length);
    expect(plan).toContain("| Test | Line coverage | >= 80% | Full | Yes | ci.yml: test |");
    expect(plan).toContain(
      "| Deploy | Manual approval | a required reviewer approves | Manual | Yes | environment: production |",
    );
    expect(plan).toContain("| Deploy | Canary health | error rate <= 1% (production) |");
    expect(plan).toContain("| Security | DAST | no high/critical issues | Full | Yes | not configured |");
  });

  test("lists gates it cannot enforce, with the reason", () => {
    expect(plan).toContain("- **Mutation score**: no mutation testing configured");
  });

  test("describes strategy and rollback per environment", () => {
    expect(plan).toContain("### staging: rolling update");
    expect(plan).toContain("### production: canary (10% → 50% → 100%)");
    expect(plan).toContain("aws ecs update-service --cluster orders-api-production --service orders-api");
  });

  test("coverage without a known report is reported as not enforced, not silently passed", () => {
    const rust = buildPipeline({
      config: sampleConfig({
        target: "ecs",
        app: { language: "rust", packageManager: "cargo", versionFile: undefined },
      }),
    });
    const gate = rust.gates.find((g) => g.gate === "Line coverage");
    expect(gate).toMatchObject({
      enforcedBy: null,
      note: "no coverage report known: set ci.coverage.report",
    });
  });

  test("canary analysis is claimed only where shipgate's engine does it (local and kubernetes targets)", () => {
    const canary = (target: "ecs" | "kubernetes" | "local") =>
      buildPipeline({ config: sampleConfig({ target }) }).gates.find((g) => g.gate === "Canary health");
    expect(canary("ecs")?.enforcedBy).toBeNull();
    expect(canary("ecs")?.note).toContain("configured on the platform");
    expect(canary("kubernetes")?.enforcedBy).toBe("deploy-production.yml: shipgate deploy");
    expect(canary("local")?.enforcedBy).toBe("deploy-production.yml: shipgate deploy");
  });

  test("a Kubernetes canary says how shipgate splits its traffic, and without a router that it goes by ready pods", () => {
    const text = renderPlan(
      buildPipeline({ config: sampleConfig({ target: "kubernetes" }), shipgateVersion: "0.1.0" }),
    );
    expect(text).toContain("no traffic router");
    expect(text).toContain("share of ready pods");
    expect(text).not.toContain("rollout controller");
    expect(text).toContain("SHIPGATE_DATABASE_URL");
  });
});

describe("renderPlan: a canary that advances on evidence", () => {
  const planFor = (analysis: Record<string, unknown>) => {
    const config = sampleConfig({ target: "kubernetes" });
    const production = config.environments.production!;
    production.analysis = { ...production.analysis, ...analysis };
    return renderPlan(buildPipeline({ config, shipgateVersion: "0.1.0" }));
  };

  test("says when a step advances and how long a healthy canary takes, simulated at 200 and 20 req/s", () => {
    const plan = planFor({});
    expect(plan).toContain(
      "A step advances only once the canary is shown within these limits (a 5% chance at most of advancing one beyond a limit), after at least 300s at its share and at most 900s; then it rolls back as inconclusive.",
    );
    // The defaults need thousands of canary requests: minutes at 200 req/s, too long at 20.
    expect(plan).toMatch(
      /A healthy canary \(0\.1% errors, simulated\) is promoted in about \d+ min at 200 req\/s, longer than the steps may hold at 20 req\/s \(\d of 7 simulated rollouts promoted\)/,
    );
    expect(plan).toContain("set `analysis.typicalRequestsPerSecond`");
  });

  test("at the environment's typical traffic, and with the bake fallback", () => {
    const plan = planFor({ typicalRequestsPerSecond: 2000, whenInconclusive: "bake" });
    expect(plan).toMatch(/promoted in about \d+ min at 2000 req\/s \(the environment's typical traffic\)\./);
    expect(plan).toContain(
      "then it advances after its smoke checks pass, recorded as advanced without evidence",
    );
  });
});
