import { SCHEMA_URL } from "../config/json-schema.js";
import type { TargetType } from "../config/schema.js";
import type { Detection } from "../detect/types.js";
import { checkAnswers, type InitAnswers } from "./answers.js";
import { appSection, artifactSection, provenance } from "./app-section.js";
import { defaultUrl, type EnvironmentName, targetLines, usesAws } from "./targets.js";
import { comment, listPair, pair, section } from "./yaml-lines.js";

export interface RenderConfigOptions {
  detection: Detection;
  target: TargetType;
  answers?: InitAnswers;
  /** Smoke file found in the repository, relative to its root; without one the line is commented out. */
  smokeFile?: string | null;
  /**
   * Put before the generated workflows' names, when files of those names exist and are not
   * shipgate's, or when a second app's config shares the repository; "" for none.
   */
  workflowPrefix?: string;
  /** Why the prefix is there, for its comment. */
  workflowPrefixReason?: string;
  /** The vendored shipgate package the workflows run, relative to the repository root. */
  cliTarball?: string;
}

/** The first line: editors that speak yaml-language-server complete and check keys from it. */
export const SCHEMA_COMMENT = `# yaml-language-server: $schema=${SCHEMA_URL}`;

/**
 * A commented shipgate.yml for a detected repository. The comments are the documentation a
 * reader needs at this spot; the values are what was detected, or placeholders that validate
 * and say they are placeholders.
 */
export function renderConfig(options: RenderConfigOptions): string {
  const answers = options.answers ?? {};
  checkAnswers(answers);
  const name = answers.name ?? options.detection.name;
  const sections = [
    header(),
    appSection(options.detection, name),
    artifactSection(options.detection, options.target),
    ciSection(options.detection, options.target),
    workflowsSection(options),
    cliSection(options.cliTarball),
    environmentsSection({ ...options, name, answers }),
    notificationsSection(),
    usesAws(options.target) ? awsSection(name) : [],
  ];
  return `${sections
    .filter((s) => s.length)
    .map((s) => s.join("\n"))
    .join("\n\n")}\n`;
}

function header(): string[] {
  return [
    SCHEMA_COMMENT,
    ...comment(
      0,
      "",
      "The one file your delivery pipeline is generated from. After editing it, run",
      "`shipgate generate` and commit the workflows it writes. Every key: docs/configuration.md.",
    ),
    pair(0, "version", 1),
  ];
}

function ciSection(d: Detection, target: TargetType): string[] {
  const lines = [
    ...comment(
      0,
      "Pull-request checks. Each is a required gate: loosen one on purpose, never to get a merge in.",
    ),
    section(0, "ci"),
    ...comment(1, "The branch pull requests target; staging deploys from it."),
    ...provenance(d, "branch", 1),
    listPair(1, "branches", [d.defaultBranch]),
    section(1, "coverage"),
    ...comment(2, "The test job fails below this line coverage (%). Raise it as tests grow."),
    pair(2, "minimum", 80),
  ];
  if (d.coverageReport) lines.push(pair(2, "report", d.coverageReport));
  lines.push(
    section(1, "security"),
    ...comment(2, "Known-vulnerable dependencies: critical blocks the merge, high is reported."),
    section(2, "dependencyAudit"),
    pair(3, "failOn", "critical"),
    pair(3, "warnOn", "high"),
    ...comment(
      2,
      target === "local"
        ? "Container image scan: unused while the artifact is a tarball."
        : "The built image is scanned before it is pushed; these severities fail the build.",
    ),
    section(2, "imageScan"),
    listPair(3, "severity", ["CRITICAL", "HIGH"]),
    ...comment(2, "Fails on credentials committed by mistake."),
    pair(2, "secretScanning", true),
  );
  if (d.submodules) {
    lines.push(
      ...comment(1, "Check out git submodules in every job."),
      ...provenance(d, "submodules", 1),
      pair(1, "submodules", true),
    );
  }
  return lines;
}

function workflowsSection(options: RenderConfigOptions): string[] {
  if (!options.workflowPrefix) return [];
  return [
    ...comment(
      0,
      "The generated files: <prefix>ci.yml, <prefix>deploy-<environment>.yml, <prefix>rollback.yml.",
    ),
    ...comment(0, `${options.workflowPrefixReason ?? "Written beside the repository's own workflows"}.`),
    section(0, "workflows"),
    pair(1, "prefix", options.workflowPrefix),
  ];
}

function cliSection(tarball: string | undefined): string[] {
  if (!tarball) return [];
  return [
    ...comment(
      0,
      "How the workflows run shipgate: from this package file in the repository, which",
      "`shipgate generate` writes when it is missing (commit it with the workflows). Once a",
      'release is on the npm registry, `cli: { npm: "<version>" }` runs that instead.',
    ),
    section(0, "cli"),
    pair(1, "tarball", tarball),
  ];
}

function environmentsSection(
  options: RenderConfigOptions & { name: string; answers: InitAnswers },
): string[] {
  const { target, name, answers } = options;
  const url = (env: EnvironmentName) =>
    (env === "staging" ? answers.stagingUrl : answers.productionUrl) ?? defaultUrl({ type: target, env });
  // A local target's default URL is already right; a cloud one is a placeholder until replaced.
  const urlComment = (env: EnvironmentName) =>
    (env === "staging" ? answers.stagingUrl : answers.productionUrl) || target === "local"
      ? "Health and smoke checks call this URL after each deploy."
      : "Replace: health and smoke checks call this URL after each deploy.";
  return [
    ...comment(
      0,
      "Where releases go. Staging deploys on every push; production promotes what staging verified.",
    ),
    section(0, "environments"),
    section(1, "staging"),
    ...targetLines({ type: target, env: "staging", name }),
    ...comment(2, urlComment("staging")),
    pair(2, "url", url("staging")),
    pair(2, "branch", options.detection.defaultBranch),
    ...comment(2, "Rolling: instances are swapped a few at a time; enough for staging."),
    pair(2, "strategy", "rolling"),
    ...verifyLines(options.smokeFile ?? null),
    "",
    section(1, "production"),
    ...targetLines({ type: target, env: "production", name }),
    ...comment(2, urlComment("production")),
    pair(2, "url", url("production")),
    ...comment(2, "Deploys the image staging verified, never a new build."),
    pair(2, "promoteFrom", "staging"),
    ...verifyLines(options.smokeFile ?? null),
    ...comment(
      2,
      'Enforced by the GitHub environment "production": add its required reviewers under',
      "Settings → Environments. List them here too, for the record.",
    ),
    section(2, "approval"),
    pair(3, "required", true),
    listPair(3, "approvers", []),
    ...comment(2, "Shift traffic 10% → 50% → 100%, watching each step for 5 minutes."),
    section(2, "strategy"),
    section(3, "canary"),
    listPair(4, "steps", [10, 50, 100]),
    pair(4, "stepSeconds", 300),
    ...comment(2, "A step fails above 1% errors or 1.5× the latency of the previous release."),
    section(2, "analysis"),
    pair(3, "maxErrorRate", 0.01),
    pair(3, "maxLatencyRatio", 1.5),
    ...comment(
      2,
      "A failed verification rolls back on its own; the last 5 releases stay ready to go back to.",
    ),
    section(2, "rollback"),
    pair(3, "automatic", true),
    pair(3, "keepReleases", 5),
  ];
}

function verifyLines(smokeFile: string | null): string[] {
  const lines = [section(2, "verify")];
  if (smokeFile) {
    lines.push(...comment(3, "Requests and the answers they must get, checked after each deploy."));
    lines.push(pair(3, "smoke", smokeFile));
  } else {
    lines.push(
      ...comment(3, "Once it exists, a smoke file of requests and expected answers runs after each deploy:"),
    );
    lines.push(...comment(3, "smoke: .shipgate/smoke.yml"));
  }
  lines.push(...comment(3, "Give up (and roll back) when the new release is not healthy in time."));
  lines.push(pair(3, "timeoutSeconds", 300));
  return lines;
}

function notificationsSection(): string[] {
  return comment(
    0,
    "Deploy results in Slack: store the incoming-webhook URL as a repository secret and put",
    "the secret's NAME here, never the URL itself.",
    "notifications:",
    "  slack:",
    "    webhookSecret: SLACK_WEBHOOK_URL",
  );
}

function awsSection(name: string): string[] {
  return [
    ...comment(0, "GitHub Actions assume this role through OIDC: no long-lived AWS keys in the repository."),
    section(0, "aws"),
    pair(1, "region", "us-east-1"),
    ...comment(1, "Replace: the role you created for this repository (account id and name)."),
    pair(1, "roleArn", `arn:aws:iam::123456789012:role/${name}-github-deploy`),
  ];
}
