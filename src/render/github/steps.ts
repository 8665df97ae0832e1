import { pin } from "../../pins/index.js";
import type { EnvironmentPlan, Toolchain } from "../../pipeline/model.js";
import { comment, trailing, type YamlMap, type YamlValue } from "../yaml-emit.js";
import { TOOL_VERSIONS } from "./tool-versions.js";

/** `uses:` pinned to a commit SHA, with the release tag in a trailing comment. */
export function uses(action: string): YamlValue {
  const p = pin(action);
  return trailing(p.uses, p.tag);
}

export function checkout(options: { submodules?: boolean } = {}): YamlMap {
  return {
    name: "Check out",
    uses: uses("actions/checkout"),
    // The token is not left in .git/config for later steps to read.
    with: { "persist-credentials": false, ...(options.submodules ? { submodules: "recursive" } : {}) },
  };
}

/**
 * A command from shipgate.yml as a step, written as the user wrote it: it is a shell command
 * by intent, so readers and `shipgate audit` see what runs. The schema refuses `${{` in it,
 * the one thing GitHub would expand before the shell runs (see src/config/workflow-values.ts).
 */
export function commandStep(options: {
  name: string;
  command: string;
  env?: Record<string, string>;
}): YamlMap {
  return { name: options.name, run: options.command, ...(options.env && { env: options.env }) };
}

/** Runtime setup with dependency caching, the app's own preparation, then the lockfile install. */
export function toolchainSteps(toolchain: Toolchain): YamlValue[] {
  const steps = setupSteps(toolchain);
  if (toolchain.setup.length) {
    steps.push(commandStep({ name: "Prepare the runner", command: toolchain.setup.join("\n") }));
  }
  if (toolchain.install) {
    steps.push(commandStep({ name: "Install dependencies", command: toolchain.install }));
  }
  return steps;
}

function lockfilePath(toolchain: Toolchain, file: string): string {
  return toolchain.path === "." ? file : `${toolchain.path}/${file}`;
}

function versionInput(toolchain: Toolchain, key: string, fallback: string): YamlMap {
  if (toolchain.versionFile) return { [`${key}-file`]: lockfilePath(toolchain, toolchain.versionFile) };
  return { [key]: toolchain.version ?? fallback };
}

function setupSteps(toolchain: Toolchain): YamlValue[] {
  switch (toolchain.language) {
    case "node":
      return nodeSetup(toolchain);
    case "python":
      return pythonSetup(toolchain);
    case "go":
      return [
        {
          name: "Set up Go",
          uses: uses("actions/setup-go"),
          with: {
            ...(toolchain.version
              ? { "go-version": toolchain.version }
              : { "go-version-file": lockfilePath(toolchain, "go.mod") }),
            "cache-dependency-path": lockfilePath(toolchain, "go.sum"),
          },
        },
      ];
    case "rust":
      return [
        {
          name: "Set up Rust",
          uses: uses("dtolnay/rust-toolchain"),
          with: { components: "clippy, rustfmt" },
        },
        {
          name: "Cache cargo registry and build output",
          uses: uses("actions/cache"),
          // Every Cargo.lock in the repository: no path from shipgate.yml enters the expression.
          with: {
            path: "~/.cargo/registry\n~/.cargo/git\ntarget\n",
            key: "cargo-${{ runner.os }}-${{ hashFiles('**/Cargo.lock') }}",
            "restore-keys": "cargo-${{ runner.os }}-",
          },
        },
      ];
    case "java":
      return [
        {
          name: "Set up Java",
          uses: uses("actions/setup-java"),
          with: {
            distribution: "temurin",
            "java-version": toolchain.version ?? "21",
            cache: toolchain.packageManager === "gradle" ? "gradle" : "maven",
          },
        },
      ];
  }
}

function nodeSetup(toolchain: Toolchain): YamlValue[] {
  const steps: YamlValue[] = [];
  const pm = toolchain.packageManager ?? "npm";
  if (pm === "bun") {
    return [
      {
        name: "Set up Bun",
        uses: uses("oven-sh/setup-bun"),
        with: { "bun-version-file": lockfilePath(toolchain, "package.json") },
      },
    ];
  }
  if (pm === "pnpm") {
    steps.push(
      comment(
        { name: "Set up pnpm", uses: uses("pnpm/action-setup") },
        "pnpm's version comes from the packageManager field of package.json.",
      ),
    );
  }
  const lockfile = { npm: "package-lock.json", pnpm: "pnpm-lock.yaml", yarn: "yarn.lock" }[
    pm as "npm" | "pnpm" | "yarn"
  ];
  steps.push({
    name: "Set up Node.js",
    uses: uses("actions/setup-node"),
    with: {
      ...versionInput(toolchain, "node-version", "22"),
      cache: pm,
      "cache-dependency-path": lockfile ? lockfilePath(toolchain, lockfile) : undefined,
    },
  });
  return steps;
}

function pythonSetup(toolchain: Toolchain): YamlValue[] {
  const pm = toolchain.packageManager ?? "pip";
  if (pm === "uv") {
    return [
      {
        name: "Set up uv",
        uses: uses("astral-sh/setup-uv"),
        with: {
          "enable-cache": true,
          "cache-dependency-glob": lockfilePath(toolchain, "uv.lock"),
          ...(toolchain.version ? { "python-version": toolchain.version } : {}),
        },
      },
    ];
  }
  const steps: YamlValue[] = [];
  if (pm === "poetry")
    steps.push({ name: "Install Poetry", run: `pipx install poetry==${TOOL_VERSIONS.poetry}` });
  steps.push({
    name: "Set up Python",
    uses: uses("actions/setup-python"),
    with: {
      ...versionInput(toolchain, "python-version", "3.12"),
      cache: pm === "poetry" ? "poetry" : "pip",
    },
  });
  return steps;
}

/** OIDC: a short-lived role session per job; no access keys exist to leak or rotate. */
export function awsCredentials(env: EnvironmentPlan): YamlMap {
  return {
    name: "Configure AWS credentials (OIDC)",
    uses: uses("aws-actions/configure-aws-credentials"),
    with: {
      "role-to-assume": env.aws?.roleArn ?? "${{ vars.AWS_ROLE_ARN }}",
      "aws-region": env.aws?.region ?? "us-east-1",
      "role-session-name": `deploy-${env.name}-\${{ github.run_id }}`,
    },
  };
}

export function ecrLogin(): YamlMap {
  return { name: "Log in to Amazon ECR", id: "ecr", uses: uses("aws-actions/amazon-ecr-login") };
}

export function ghcrLogin(): YamlMap {
  return {
    name: "Log in to GitHub Container Registry",
    uses: uses("docker/login-action"),
    with: { registry: "ghcr.io", username: "${{ github.actor }}", password: "${{ secrets.GITHUB_TOKEN }}" },
  };
}
