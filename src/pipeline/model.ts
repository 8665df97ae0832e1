import type {
  AnalysisConfig,
  AuditLevel,
  ImageSeverity,
  Language,
  PackageManager,
  ServiceKind,
  StrategyConfig,
  TargetConfig,
} from "../config/schema.js";

/**
 * The platform-neutral pipeline: every decision about what runs, in what order, behind
 * which gate. Renderers (GitHub Actions today) only translate it into a platform's syntax,
 * and `shipgate plan` describes it in prose, so the two can never disagree.
 */

export interface Toolchain {
  language: Language;
  packageManager: PackageManager | null;
  version: string | null;
  versionFile: string | null;
  /** Directory of the app inside the repository ("." for the root). */
  path: string;
  /** Commands run after the runtime is set up and before install (corepack, system packages). */
  setup: string[];
  install: string | null;
}

export type CheckId = "lint" | "typecheck" | "test" | "build";

export interface CiCheck {
  id: CheckId;
  name: string;
  command: string;
}

export type CoverageFormat = "lcov" | "istanbul-summary" | "cobertura" | "jacoco" | "go";

export interface CoverageGate {
  minimum: number;
  /** Report path relative to the app directory; null when none is known (gate not enforced). */
  report: string | null;
  format: CoverageFormat | null;
}

export interface DependencyAudit {
  /** npm and pnpm have a native audit; other ecosystems are scanned by Trivy's filesystem scanner. */
  tool: "npm" | "pnpm" | "trivy";
  failOn: AuditLevel;
  warnOn: AuditLevel;
}

export interface ImageBuild {
  dockerfile: string;
  context: string;
  /** The Dockerfile stage to build; the last one when null. */
  target: string | null;
  scanSeverity: ImageSeverity[];
  ignoreUnfixed: boolean;
}

export interface CiPlan {
  branches: string[];
  pathsIgnore: string[];
  timeoutMinutes: number;
  checks: CiCheck[];
  services: ServiceKind[];
  /** Variables of the test job: each service's defaults, then app.testEnv resolved to the containers. */
  testEnv: Record<string, string>;
  /** Whether checkouts fetch git submodules. */
  submodules: boolean;
  coverage: CoverageGate;
  audit: DependencyAudit;
  secretScanning: boolean;
  /** The container image built and scanned on every pull request; null for tarball artifacts. */
  image: ImageBuild | null;
}

export interface ArtifactPlan {
  type: "container" | "tarball";
  registry: "ecr" | "ghcr";
  repository: string;
  dockerfile: string;
  context: string;
  target: string | null;
}

export type Trigger = { kind: "push"; branch: string } | { kind: "promote"; from: string };

export interface EnvironmentPlan {
  name: string;
  target: TargetConfig;
  url: string | null;
  trigger: Trigger;
  approval: { required: boolean; approvers: string[]; expiresAfter: string | null };
  strategy: StrategyConfig;
  verify: { healthPath: string; readyPath: string | null; smoke: string | null; timeoutSeconds: number };
  analysis: AnalysisConfig;
  rollback: { automatic: boolean; keepReleases: number };
  aws: { region: string; roleArn: string | null } | null;
}

export type GateStage = "Build" | "Test" | "Security" | "Performance" | "Deploy" | "Compliance";

export interface QualityGate {
  stage: GateStage;
  gate: string;
  threshold: string;
  automation: "Full" | "Partial" | "Manual";
  blocking: boolean;
  /** Where the pipeline enforces it (workflow and job), or null when it is not configured. */
  enforcedBy: string | null;
  /** Why it is not enforced, or how it is. */
  note?: string;
}

/** Where generated workflows get the shipgate command: a registry release or a vendored tarball. */
export type CliPlan = { kind: "npm"; version: string } | { kind: "tarball"; path: string };

export interface PipelineModel {
  /** `buildRoot`: where the app's commands run (app.buildRoot, else its path). */
  app: { name: string; path: string; buildRoot: string };
  toolchain: Toolchain;
  ci: CiPlan;
  artifact: ArtifactPlan;
  /** In promotion order: every environment comes after the one it promotes from. */
  environments: EnvironmentPlan[];
  notifications: { slackSecret: string | null };
  gates: QualityGate[];
  /** The shipgate version that generated the pipeline. */
  shipgateVersion: string;
  /** How the workflows run shipgate (cli: in shipgate.yml; this version from npm when unset). */
  cli: CliPlan;
  /** Put before every generated file's name (workflows.prefix). */
  filePrefix: string;
}
