import type { StrategyConfig } from "../config/schema.js";
import { estimatePromotionTime, MAX_STEP_FACTOR } from "../deliver/analysis/index.js";
import type { EnvironmentPlan, PipelineModel, QualityGate } from "../pipeline/model.js";

/**
 * The pipeline design document, in Markdown: summary, stages, quality-gate matrix,
 * deployment strategy and rollback plan per environment, and the set-up left to do.
 * It reads the same model the renderers do, so it describes exactly what is generated.
 */
export function renderPlan(model: PipelineModel): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const envNames = model.environments.map((e) => e.name);

  push(`# CI/CD pipeline design: ${model.app.name}`, "");
  push("## Pipeline summary", "");
  push("- **Platform**: GitHub Actions");
  push(
    `- **CI trigger**: pull requests to ${model.ci.branches.map(code).join(", ")} (documentation-only changes skipped)`,
  );
  push(
    `- **Stages**: ${stageCount(model)} stages; ${model.ci.checks.length + (model.ci.image ? 1 : 0) + 1} CI jobs in parallel`,
  );
  push(`- **Environments**: ${envNames.map(code).join(" → ")}`);
  push(`- **Artifact**: ${artifactLine(model)}`);
  push("");

  push("## Pipeline architecture", "");
  push("### Stage 1: CI (every pull request, jobs in parallel)", "");
  for (const check of model.ci.checks) push(`- **${check.name}**: ${code(check.command)}`);
  if (model.ci.image)
    push(
      `- **Container image**: build ${code(model.ci.image.dockerfile)}, scan with Trivy (fails on ${model.ci.image.scanSeverity.join(", ")})`,
    );
  push(
    `- **Security**: dependency audit (fails on ${model.ci.audit.failOn})${model.ci.secretScanning ? ", secret scan" : ""}`,
  );
  if (model.ci.services.length)
    push(`- **Test services**: ${model.ci.services.join(", ")} as health-checked service containers`);
  push(
    "- Stale runs of a pull request are cancelled by new pushes; dependencies are cached per lockfile.",
    "",
  );

  model.environments.forEach((env, i) => {
    push(`### Stage ${i + 2}: deploy to ${env.name}`, "");
    push(`- **Trigger**: ${triggerLine(env)}`);
    if (env.approval.required)
      push(
        `- **Approval**: required reviewers on the ${code(env.name)} GitHub environment${env.approval.approvers.length ? ` (${env.approval.approvers.join(", ")})` : ""}`,
      );
    push(`- **Target**: ${targetLine(env)}`);
    push(
      `- **Verification**: health ${code(env.verify.healthPath)}${env.verify.readyPath ? `, readiness ${code(env.verify.readyPath)}` : ""}${env.verify.smoke ? `, smoke file ${code(env.verify.smoke)}` : ""}; deadline ${env.verify.timeoutSeconds}s`,
    );
    push(`- **Concurrency**: one deployment of ${env.name} at a time, never cancelled mid-way`, "");
  });

  push("## Quality gates", "");
  push("| Stage | Gate | Threshold | Automation | Blocking | Enforced by |");
  push("|-------|------|-----------|------------|----------|-------------|");
  for (const gate of model.gates) push(gateRow(gate));
  const missing = model.gates.filter((g) => !g.enforcedBy);
  if (missing.length) {
    push("", "Gates not enforced by this configuration:", "");
    for (const g of missing) push(`- **${g.gate}**: ${g.note ?? "not configured"}`);
  }
  push("");

  push("## Deployment strategy", "");
  for (const env of model.environments) {
    push(`### ${env.name}: ${strategyName(env.strategy)}`, "");
    push(strategyDescription(env), "");
    push(`**Rollback plan (${env.name})**`, "");
    for (const line of rollbackPlan(env)) push(line);
    push("");
  }

  push("## Rollback decision tree", "");
  push("```");
  push("Deployment fails?");
  push("├─ The platform's own health checks catch it (tasks or pods never become healthy)");
  push("│  └─ The deploy step fails; the workflow restores the previous release.");
  push("├─ Health checks pass but the app is broken (smoke checks or canary analysis fail)");
  push("│  └─ `shipgate verify` fails the job; the workflow restores the previous release.");
  push("├─ A problem found after the deploy finished");
  push("│  └─ Run the Rollback workflow with the last good commit SHA (one run).");
  push("└─ A database migration broke things");
  push("   └─ Roll back the code, then run the reverse migration; migrations are");
  push("      backward-compatible (expand, migrate, contract) so old code runs on new schema.");
  push("```", "");

  push("## DORA metrics", "");
  push("Deployment frequency, lead time for changes, change failure rate and time to restore are");
  push("computed from the deployment record (`shipgate dora`). Baseline: none recorded yet.", "");

  push("## Set-up checklist", "");
  for (const line of checklist(model)) push(`- [ ] ${line}`);
  push("");
  return out.join("\n");
}

function code(text: string): string {
  return `\`${text}\``;
}

function stageCount(model: PipelineModel): number {
  return 1 + model.environments.length;
}

function artifactLine(model: PipelineModel): string {
  if (model.artifact.type === "tarball")
    return "tarball of the commit with a sha256 manifest, built once and promoted";
  const registry = model.artifact.registry === "ecr" ? "Amazon ECR" : "GitHub Container Registry";
  return `container image ${code(model.artifact.repository)} in ${registry}, tagged with the commit SHA, built once and promoted`;
}

function triggerLine(env: EnvironmentPlan): string {
  if (env.trigger.kind === "push")
    return `every push to ${code(env.trigger.branch)}, after CI passes on the merged commit`;
  return `manual run with the commit SHA of an image that deployed successfully to ${code(env.trigger.from)}`;
}

function targetLine(env: EnvironmentPlan): string {
  const t = env.target;
  switch (t.type) {
    case "ecs":
      return `Amazon ECS service ${code(t.service)} in cluster ${code(t.cluster)} (task definition ${code(t.taskDefinition)})`;
    case "kubernetes":
      return `Kubernetes deployment ${code(t.deployment)} in namespace ${code(t.namespace)}${t.provider === "eks" && t.cluster ? ` on EKS cluster ${code(t.cluster)}` : ""}`;
    case "local":
      return `shipgate's local target: ${t.instances} instances behind the router on port ${t.port} (runner ${code(t.runner)})`;
  }
}

function gateRow(g: QualityGate): string {
  return `| ${g.stage} | ${g.gate} | ${g.threshold} | ${g.automation} | ${g.blocking ? "Yes" : "No"} | ${g.enforcedBy ?? "not configured"} |`;
}

function strategyName(strategy: StrategyConfig): string {
  if (typeof strategy === "string") return strategy === "rolling" ? "rolling update" : "blue-green";
  return `canary (${strategy.canary.steps.join("% → ")}%)`;
}

function strategyDescription(env: EnvironmentPlan): string {
  const s = env.strategy;
  const analysis = `error rate at most ${env.analysis.maxErrorRate * 100}% and p95 latency at most ${env.analysis.maxLatencyRatio}× the stable release's (or ${env.analysis.latencyToleranceMs} ms above it)`;
  if (typeof s === "object") {
    const platform =
      env.target.type === "local"
        ? "shipgate shifts the router's weights step by step"
        : env.target.type === "ecs"
          ? "traffic shifting is configured on the ECS service (deployment configuration) and the workflow waits for it"
          : kubernetesTraffic(env);
    return `Traffic moves to the new release in steps of ${s.canary.steps.join("%, ")}%; ${platform}. Each step must keep the ${analysis}.${env.target.type === "ecs" ? "" : ` ${canaryTiming(env, s.canary)}`}`;
  }
  if (s === "blue-green")
    return `A full new set of instances is started and verified before traffic switches; the old set stays ready for instant rollback. Promotion requires the ${analysis}.`;
  return `Instances are replaced a few at a time, each health-checked before the next, with no extra capacity; the deploy waits until the platform reports the service stable.`;
}

/**
 * When a canary step advances, and how long a healthy canary takes at the environment's
 * traffic (or at 200 and 20 requests/s when it is not configured), from simulated rollouts.
 */
function canaryTiming(
  env: EnvironmentPlan,
  canary: { steps: number[]; stepSeconds: number; maxStepSeconds?: number | undefined },
): string {
  const weights = [...new Set(canary.steps.filter((s) => s > 0 && s < 100))]
    .sort((a, b) => a - b)
    .map((s) => s / 100);
  if (weights.length === 0) return "";
  const a = env.analysis;
  const maxStepSeconds = canary.maxStepSeconds ?? MAX_STEP_FACTOR * canary.stepSeconds;
  const atEnd =
    a.whenInconclusive === "bake"
      ? "advances after its smoke checks pass, recorded as advanced without evidence"
      : "rolls back as inconclusive";
  const rates = a.typicalRequestsPerSecond ? [a.typicalRequestsPerSecond] : [200, 20];
  const estimates = rates.map((rps) => {
    const estimate = estimatePromotionTime({
      limits: a,
      weights,
      stepSeconds: canary.stepSeconds,
      maxStepSeconds,
      totalRps: rps,
    });
    const traffic = `at ${rps} req/s${a.typicalRequestsPerSecond ? " (the environment's typical traffic)" : ""}`;
    return estimate.medianSeconds !== undefined && estimate.promoted * 2 > estimate.runs
      ? `about ${duration(estimate.medianSeconds)} ${traffic}`
      : `longer than the steps may hold ${traffic} (${estimate.promoted} of ${estimate.runs} simulated rollouts promoted)`;
  });
  const unset = a.typicalRequestsPerSecond
    ? ""
    : " (set `analysis.typicalRequestsPerSecond` for the estimate at yours)";
  return (
    `A step advances only once the canary is shown within these limits (a ${a.beta * 100}% chance at most of advancing one beyond a limit), ` +
    `after at least ${canary.stepSeconds}s at its share and at most ${maxStepSeconds}s; then it ${atEnd}. ` +
    `A healthy canary (0.1% errors, simulated) is promoted in ${estimates.join(", ")}${unset}.`
  );
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** How `shipgate deploy` splits a Kubernetes canary's traffic, and what that guarantees. */
function kubernetesTraffic(env: EnvironmentPlan): string {
  const t = env.target;
  if (t.type !== "kubernetes") return "";
  const canary = code(`${t.deployment}-canary`);
  const stable = code(t.service ?? t.deployment);
  switch (t.traffic.type) {
    case "gateway-api":
      return `shipgate deploy runs the new image in ${canary} beside the stable Deployment and sets the weights of HTTPRoute ${code(t.traffic.httpRoute)}'s backendRefs (${stable} and ${canary}) step by step, then rolls the stable Deployment to it and moves all traffic back`;
    case "istio":
      return `shipgate deploy runs the new image in ${canary} beside the stable Deployment and sets the route weights of VirtualService ${code(t.traffic.virtualService)} (${stable} and ${canary}) step by step, then rolls the stable Deployment to it and moves all traffic back`;
    case "replicas":
      return `no traffic router: the canary's pods in ${canary} join Service ${stable}, so its share is its share of ready pods (only as fine as the stable set is large), and it takes traffic as soon as its pods are ready, before any smoke check; shipgate deploy scales it per step`;
  }
}

function rollbackPlan(env: EnvironmentPlan): string[] {
  const auto = env.rollback.automatic
    ? "1. Automatic: a failed deploy, health check or smoke check restores the release that ran before."
    : "1. Automatic rollback is off for this environment.";
  const manual = `2. Manual: run the **Rollback** workflow with ${code(env.name)} and the commit SHA of the last good release.`;
  const t = env.target;
  const platform =
    t.type === "ecs"
      ? `3. Without GitHub: ${code(`aws ecs update-service --cluster ${t.cluster} --service ${t.service} --task-definition <previous revision>`)}; keep the last ${env.rollback.keepReleases} task definition revisions.`
      : t.type === "kubernetes"
        ? `3. Without GitHub: ${code(`shipgate rollback ${env.name}`)} with the cluster's kubeconfig and the shared ledger (SHIPGATE_DATABASE_URL); a deploy killed half-way is finished by it (weights back on the stable Service before anything is deleted).`
        : `3. Without GitHub: ${code(`shipgate rollback ${env.name}`)} on the host.`;
  return [
    auto,
    manual,
    platform,
    "4. Expected time to roll back: the platform's time to start and health-check one release.",
  ];
}

function checklist(model: PipelineModel): string[] {
  const items: string[] = [];
  const aws = model.environments.filter((e) => e.aws);
  if (aws.length) {
    items.push(
      "Create the IAM role(s) trusted through GitHub OIDC, with the subject limited to this repository's environments; store no access keys.",
    );
    if (aws.some((e) => !e.aws?.roleArn))
      items.push("Set `aws.roleArn` in shipgate.yml (or the `AWS_ROLE_ARN` repository variable).");
  }
  if (model.environments.some((e) => e.target.type === "kubernetes")) {
    items.push(
      "Add the `SHIPGATE_DATABASE_URL` secret: the PostgreSQL ledger the Kubernetes deploy jobs share (lock, history, crash recovery).",
    );
    items.push(
      "Bind shipgate's cluster account to the minimal Role in docs/targets/kubernetes.md (it names every verb it needs).",
    );
  }
  if (model.environments.some((e) => e.target.type === "kubernetes" && typeof e.strategy === "object")) {
    items.push(
      "Configure a metric provider for Kubernetes canary analysis: without one every analysis step is inconclusive and the canary is rolled back.",
    );
  }
  if (model.environments.some((e) => e.target.type === "ecs")) {
    items.push("Enable the ECS deployment circuit breaker with rollback on every service.");
    items.push("Turn on tag immutability for the ECR repository.");
  }
  for (const env of model.environments) {
    if (env.approval.required)
      items.push(`Add required reviewers to the \`${env.name}\` environment in the repository settings.`);
    if (!env.url && env.target.type !== "local")
      items.push(
        `Set \`environments.${env.name}.url\` (or the \`${env.name.toUpperCase()}_URL\` variable) for health and smoke checks.`,
      );
  }
  items.push("Protect the default branch: require pull requests and the CI checks to pass.");
  if (model.notifications.slackSecret)
    items.push(`Add the \`${model.notifications.slackSecret}\` repository secret (Slack incoming webhook).`);
  items.push("Rehearse the rollback workflow against staging every quarter.");
  return items;
}
