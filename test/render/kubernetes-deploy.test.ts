import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { buildPipeline } from "../../src/pipeline/build.js";
import { githubRenderer } from "../../src/render/github/index.js";
import { sampleConfig } from "./configs.js";

type Step = { id?: string; name?: string; run?: string; if?: string; env?: Record<string, string> };
type Workflow = { jobs: Record<string, { permissions?: Record<string, string>; steps?: Step[] }> };

/** The generated deploy workflow of a kubernetes environment runs shipgate's engine. */
describe("kubernetes deploy workflows", () => {
  const files = githubRenderer.render(
    buildPipeline({ config: sampleConfig({ target: "kubernetes" }), shipgateVersion: "0.1.0" }),
  );
  const production = files.find((f) => f.path.endsWith("deploy-production.yml"))!;
  const workflow = parse(production.body) as Workflow;
  const job = Object.values(workflow.jobs).find((j) => j.steps?.some((s) => s.id === "rollout"))!;
  const steps = job.steps!;

  test("rolls the image out with shipgate deploy under the configured strategy, on the shared ledger", () => {
    const rollout = steps.find((s) => s.id === "rollout")!;
    expect(rollout.name).toContain("canary 10/50/100% with analysis");
    expect(rollout.run).toMatch(
      /shipgate@0\.1\.0 deploy "\$ENVIRONMENT" --artifact "\$IMAGE_REPO:\$IMAGE_TAG"$/,
    );
    expect(rollout.env).toMatchObject({
      ENVIRONMENT: "production",
      SHIPGATE_DATABASE_URL: "${{ secrets.SHIPGATE_DATABASE_URL }}",
    });
    expect(production.body).not.toContain("kubectl --namespace");
  });

  test("keeps OIDC for EKS and verifies the public URL after the rollout, rolling back if that fails", () => {
    expect(job.permissions?.["id-token"]).toBe("write");
    const names = steps.map((s) => s.name ?? "");
    const rollout = names.findIndex((n) => n.startsWith("Roll out"));
    const verify = names.findIndex((n) => n.startsWith("Verify"));
    expect(verify).toBeGreaterThan(rollout);
    const rollback = steps.find((s) => s.run?.includes('rollback "$ENVIRONMENT"'))!;
    expect(rollback.if).toBe("failure() && steps.rollout.outcome == 'success'");
  });
});
