import type { AuditLevel } from "../../config/schema.js";
import { SERVICE_CONTAINERS } from "../../pipeline/defaults.js";
import type { CiCheck, PipelineModel } from "../../pipeline/model.js";
import { comment, flow, spaced, type YamlMap, type YamlValue } from "../yaml-emit.js";
import { coverageGateStep } from "./coverage.js";
import { shipgateCommand } from "./shipgate-cli.js";
import { checkout, commandStep, toolchainSteps, uses } from "./steps.js";

const TRIVY_LEVELS: Readonly<Record<AuditLevel, string>> = {
  low: "LOW,MEDIUM,HIGH,CRITICAL",
  moderate: "MEDIUM,HIGH,CRITICAL",
  high: "HIGH,CRITICAL",
  critical: "CRITICAL",
};

/** Pull-request CI: independent checks in parallel, each a required status check. */
export function ciWorkflow(model: PipelineModel): YamlMap {
  const { ci } = model;
  const jobs: YamlMap = {};
  for (const check of ci.checks) {
    jobs[check.id] = spaced(check.id === "test" ? testJob(model, check) : checkJob(model, check));
  }
  if (ci.image)
    jobs.image = spaced(
      imageJob(model),
      "The image is built and scanned on every pull request; deploys rebuild nothing.",
    );
  jobs.security = spaced(securityJob(model));

  return {
    name: "CI",
    on: {
      pull_request: { branches: flow(ci.branches), "paths-ignore": ci.pathsIgnore },
      workflow_call: comment(
        null,
        "Deploy workflows run the same checks on the merged commit before building it.",
      ),
    },
    concurrency: comment(
      {
        group: "ci-${{ github.workflow }}-${{ github.head_ref || github.ref_name }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
      },
      "A new push to a pull request cancels its stale run; runs on main always finish.",
    ),
    permissions: { contents: "read" },
    defaults: model.app.buildRoot === "." ? undefined : { run: { "working-directory": model.app.buildRoot } },
    jobs: spaced(jobs),
  };
}

function baseJob(model: PipelineModel, name: string): YamlMap {
  return { name, "runs-on": "ubuntu-latest", "timeout-minutes": model.ci.timeoutMinutes };
}

function checkStep(check: CiCheck, name: string, env?: Record<string, string>): YamlMap {
  return commandStep({ name, command: check.command, ...(env && { env }) });
}

function checkJob(model: PipelineModel, check: CiCheck): YamlMap {
  return {
    ...baseJob(model, check.name),
    steps: [
      checkout({ submodules: model.ci.submodules }),
      ...toolchainSteps(model.toolchain),
      checkStep(check, check.name),
    ],
  };
}

function testJob(model: PipelineModel, check: CiCheck): YamlMap {
  const { ci } = model;
  const services: YamlMap = {};
  const env: Record<string, string> = { CI: "true", ...ci.testEnv };
  for (const kind of ci.services) {
    const s = SERVICE_CONTAINERS[kind];
    services[kind] = {
      image: s.image,
      env: Object.keys(s.env).length ? s.env : undefined,
      ports: flow([`${s.port}:${s.port}`]),
      options: `--health-cmd "${s.health}" --health-interval 10s --health-timeout 5s --health-retries 5`,
    };
  }
  const gate = coverageGateStep(model);
  const steps: YamlValue[] = [
    checkout({ submodules: ci.submodules }),
    ...toolchainSteps(model.toolchain),
    checkStep(check, "Run tests with coverage", env),
  ];
  if (gate) {
    steps.push(gate);
    steps.push({
      name: "Upload coverage report",
      if: "always()",
      uses: uses("actions/upload-artifact"),
      with: {
        name: "coverage",
        path:
          model.app.buildRoot === "." ? ci.coverage.report : `${model.app.buildRoot}/${ci.coverage.report}`,
        "retention-days": 14,
        "if-no-files-found": "ignore",
      },
    });
  }
  return {
    ...baseJob(model, check.name),
    services: ci.services.length
      ? comment(services, "Service containers the tests need, health-checked before the steps run.")
      : undefined,
    steps,
  };
}

function imageJob(model: PipelineModel): YamlMap {
  const image = model.ci.image!;
  const tag = `${model.artifact.repository}:ci-\${{ github.sha }}`;
  return {
    ...baseJob(model, "Container image"),
    steps: [
      checkout({ submodules: model.ci.submodules }),
      { name: "Set up Docker Buildx", uses: uses("docker/setup-buildx-action") },
      {
        name: "Build the image",
        uses: uses("docker/build-push-action"),
        with: {
          context: image.context,
          file: image.dockerfile,
          target: image.target ?? undefined,
          push: false,
          load: true,
          tags: tag,
          "cache-from": "type=gha",
          "cache-to": "type=gha,mode=max",
        },
      },
      {
        name: `Scan the image (fails on ${image.scanSeverity.join(", ")})`,
        uses: uses("aquasecurity/trivy-action"),
        with: {
          "image-ref": tag,
          severity: image.scanSeverity.join(","),
          "ignore-unfixed": image.ignoreUnfixed,
          "exit-code": "1",
        },
      },
    ],
  };
}

/** npm's audit levels in the severities `shipgate gate vulns` speaks. */
const GATE_SEVERITY = { low: "low", moderate: "medium", high: "high", critical: "critical" } as const;

function securityJob(model: PipelineModel): YamlMap {
  const { audit } = model.ci;
  const steps: YamlValue[] = [checkout()];
  const gateVulns = shipgateCommand(
    model,
    `gate vulns npm-audit.json --fail-on ${GATE_SEVERITY[audit.failOn]}`,
  );
  if (audit.tool === "npm") {
    steps.push(
      ...toolchainSteps({ ...model.toolchain, install: null }),
      {
        name: `Report ${audit.warnOn} advisories`,
        run: `npm audit --audit-level=${audit.warnOn}`,
        "continue-on-error": comment(true, `Reported as a warning; the next step blocks on ${audit.failOn}.`),
      },
      {
        name: `Dependency audit (fails on ${audit.failOn})`,
        run: [
          "# npm audit exits non-zero when it finds advisories: the gate decides, on the report it wrote.",
          "npm audit --json > npm-audit.json || [ -s npm-audit.json ]",
          gateVulns.run,
        ].join("\n"),
        ...(Object.keys(gateVulns.env).length ? { env: gateVulns.env } : {}),
      },
    );
  } else if (audit.tool === "pnpm") {
    steps.push(
      ...toolchainSteps({ ...model.toolchain, install: null }),
      {
        name: `Report ${audit.warnOn} advisories`,
        run: `${audit.tool} audit --audit-level=${audit.warnOn}`,
        "continue-on-error": comment(true, `Reported as a warning; the next step blocks on ${audit.failOn}.`),
      },
      {
        name: `Dependency audit (fails on ${audit.failOn})`,
        run: `${audit.tool} audit --audit-level=${audit.failOn}`,
      },
    );
  } else {
    steps.push({
      name: `Dependency audit (fails on ${audit.failOn})`,
      uses: uses("aquasecurity/trivy-action"),
      with: {
        "scan-type": "fs",
        "scan-ref": model.app.path,
        scanners: "vuln",
        severity: TRIVY_LEVELS[audit.failOn],
        "exit-code": "1",
      },
    });
  }
  if (model.ci.secretScanning) {
    steps.push({
      name: "Secret scan",
      uses: uses("aquasecurity/trivy-action"),
      with: { "scan-type": "fs", "scan-ref": ".", scanners: "secret", "exit-code": "1" },
    });
  }
  return { ...baseJob(model, "Security"), steps };
}
