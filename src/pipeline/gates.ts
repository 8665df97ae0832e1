import type { PipelineModel, QualityGate } from "./model.js";

const LEVEL_LABEL = { low: "low", moderate: "moderate", high: "high", critical: "critical" } as const;

/**
 * The quality-gate matrix: every gate a production pipeline should have, with the threshold
 * this configuration sets and where the generated pipeline enforces it. Gates the pipeline
 * cannot enforce from this configuration are listed with the reason, not left out.
 */
export function qualityGates(model: Omit<PipelineModel, "gates">): QualityGate[] {
  const { ci } = model;
  const has = (id: string) => ci.checks.some((c) => c.id === id);
  const file = (name: string) => `${model.filePrefix}${name}.yml`;
  const ciFile = file("ci");
  const deployEnvs = model.environments.map((e) => file(`deploy-${e.name}`)).join(", ");
  const approvals = model.environments.filter((e) => e.approval.required).map((e) => e.name);
  const canaries = model.environments.filter((e) => typeof e.strategy === "object");
  // shipgate's engine analyses a canary inside the workflow on the local and kubernetes targets;
  // on ECS the traffic split and its alarms are the platform's, so they are listed as not
  // enforced here rather than claimed.
  const analysed = canaries.filter((e) => e.target.type === "local" || e.target.type === "kubernetes");
  const smoke = model.environments.filter((e) => e.verify.smoke);

  const gates: QualityGate[] = [
    {
      stage: "Build",
      gate: "Compilation",
      threshold: "100% success",
      automation: "Full",
      blocking: true,
      enforcedBy: has("build") || ci.image ? `${ciFile}: build` : null,
      note: has("build") || ci.image ? undefined : "no build command or Dockerfile configured",
    },
    {
      stage: "Build",
      gate: "Type check",
      threshold: "no errors",
      automation: "Full",
      blocking: true,
      enforcedBy: has("typecheck") ? `${ciFile}: typecheck` : null,
      note: has("typecheck") ? undefined : "no typecheck command configured (app.commands.typecheck)",
    },
    {
      stage: "Build",
      gate: "Lint",
      threshold: "no errors",
      automation: "Full",
      blocking: true,
      enforcedBy: has("lint") ? `${ciFile}: lint` : null,
      note: has("lint") ? undefined : "no lint command configured (app.commands.lint)",
    },
    {
      stage: "Build",
      gate: "Dependency audit",
      threshold: `no ${LEVEL_LABEL[ci.audit.failOn]} or worse advisories (${LEVEL_LABEL[ci.audit.warnOn]} reported)`,
      automation: "Full",
      blocking: true,
      enforcedBy: `${ciFile}: security`,
      note: ci.audit.tool === "trivy" ? "Trivy filesystem scan of the lockfiles" : `${ci.audit.tool} audit`,
    },
    {
      stage: "Test",
      gate: "Unit tests",
      threshold: "100% pass",
      automation: "Full",
      blocking: true,
      enforcedBy: has("test") ? `${ciFile}: test` : null,
      note: has("test") ? undefined : "no test command configured (app.commands.test)",
    },
    {
      stage: "Test",
      gate: "Line coverage",
      threshold: `>= ${ci.coverage.minimum}%`,
      automation: "Full",
      blocking: true,
      enforcedBy: has("test") && ci.coverage.format ? `${ciFile}: test` : null,
      note:
        has("test") && ci.coverage.format
          ? `read from ${ci.coverage.report}`
          : "no coverage report known: set ci.coverage.report",
    },
    {
      stage: "Test",
      gate: "Integration coverage",
      threshold: ">= 70%",
      automation: "Full",
      blocking: true,
      enforcedBy: null,
      note: "no separate integration suite configured",
    },
    {
      stage: "Test",
      gate: "Mutation score",
      threshold: ">= 75%",
      automation: "Full",
      blocking: false,
      enforcedBy: null,
      note: "no mutation testing configured",
    },
    {
      stage: "Security",
      gate: "SCA / image scan",
      threshold: `no ${ci.image?.scanSeverity.join("/") ?? "CRITICAL/HIGH"} vulnerabilities${ci.image?.ignoreUnfixed ? " with a fix available" : ""}`,
      automation: "Full",
      blocking: true,
      enforcedBy: ci.image ? `${ciFile}: image; deploy workflows: build` : null,
      note: ci.image
        ? "Trivy scan of the built image, exit code 1 on findings"
        : "artifact is not a container image",
    },
    {
      stage: "Security",
      gate: "Secrets detection",
      threshold: "no exposed secrets",
      automation: "Full",
      blocking: true,
      enforcedBy: ci.secretScanning ? `${ciFile}: security` : null,
      note: ci.secretScanning
        ? "Trivy secret scanner over the checkout"
        : "disabled: ci.security.secretScanning is false",
    },
    {
      stage: "Security",
      gate: "SAST",
      threshold: "no high/critical issues",
      automation: "Full",
      blocking: true,
      enforcedBy: null,
      note: "not generated: enable GitHub code scanning (CodeQL) for the repository",
    },
    {
      stage: "Security",
      gate: "DAST",
      threshold: "no high/critical issues",
      automation: "Full",
      blocking: true,
      enforcedBy: null,
      note: "not generated: needs a scanner configured against staging",
    },
    {
      stage: "Performance",
      gate: "Load test",
      threshold: "p95 latency within SLA",
      automation: "Full",
      blocking: false,
      enforcedBy: null,
      note: "no load test configured",
    },
    {
      stage: "Deploy",
      gate: "Smoke tests",
      threshold: "100% pass",
      automation: "Full",
      blocking: true,
      enforcedBy: deployEnvs ? `${deployEnvs}: shipgate verify` : null,
      note: smoke.length
        ? `health, readiness and smoke file (${smoke.map((e) => e.name).join(", ")})`
        : "health and readiness checks; no smoke file configured (verify.smoke)",
    },
    {
      stage: "Deploy",
      gate: "Canary health",
      threshold: canaries.length
        ? canaries.map((e) => `error rate <= ${pct(e.analysis.maxErrorRate)} (${e.name})`).join(", ")
        : "error rate <= 1%",
      automation: "Full",
      blocking: true,
      enforcedBy: analysed.length
        ? analysed.map((e) => `${file(`deploy-${e.name}`)}: shipgate deploy`).join(", ")
        : null,
      note: canaryNote(canaries.length, analysed.length),
    },
    {
      stage: "Deploy",
      gate: "Manual approval",
      threshold: "a required reviewer approves",
      automation: "Manual",
      blocking: true,
      enforcedBy: approvals.length ? approvals.map((e) => `environment: ${e}`).join(", ") : null,
      note: approvals.length
        ? "GitHub environment protection rules (required reviewers)"
        : "no environment requires approval",
    },
    {
      stage: "Compliance",
      gate: "License scan",
      threshold: "no restricted licenses",
      automation: "Full",
      blocking: true,
      enforcedBy: null,
      note: "not generated: no license policy configured",
    },
    {
      stage: "Compliance",
      gate: "Audit log",
      threshold: "complete deployment record",
      automation: "Full",
      blocking: true,
      enforcedBy: deployEnvs ? "GitHub deployments (one per environment job)" : null,
      note: "who deployed which commit where, and who approved it",
    },
  ];
  return gates;
}

function pct(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

function canaryNote(canaries: number, analysed: number): string {
  if (canaries === 0) return "no environment uses the canary strategy";
  if (analysed === canaries) return "shipgate deploy compares canary with stable and rolls back on its own";
  return "traffic shifting and its alarms are configured on the platform (ECS deployment alarms, a rollout controller); the workflow waits for them and verifies health and smoke checks";
}
