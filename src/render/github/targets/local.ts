import type { EnvironmentPlan, PipelineModel } from "../../../pipeline/model.js";
import { comment, type YamlMap } from "../../yaml-emit.js";
import { shipgateCommand } from "../shipgate-cli.js";
import { checkout } from "../steps.js";
import type { GithubTarget } from "./types.js";

function local(env: EnvironmentPlan) {
  if (env.target.type !== "local") throw new Error(`environment ${env.name} is not a local target`);
  return env.target;
}

function shipgate(model: PipelineModel, args: string): string {
  return shipgateCommand(model, args).run;
}

/** The variables shipgateCommand's script reads, merged into a step's own. */
function shipgateEnv(model: PipelineModel, env: Record<string, string | undefined> = {}) {
  return { ...shipgateCommand(model, "").env, ...env };
}

/**
 * The step that runs the engine. Where GitHub's required reviewers are not available (private
 * repositories below Enterprise), shipgate's own approval gate holds a promotion: the job
 * waits on the ledger's decision for as long as the request is valid.
 */
function rolloutStep(model: PipelineModel, env: EnvironmentPlan): YamlMap {
  const name = `Roll out to ${env.name} (verifies and rolls back on its own)`;
  if (env.trigger.kind === "push") {
    return {
      name,
      run: shipgate(model, 'deploy "$ENVIRONMENT" --artifact "$ARTIFACT"'),
      env: shipgateEnv(model, { ENVIRONMENT: env.name }),
    };
  }
  const wait = env.approval.required ? (env.approval.expiresAfter ?? "24h") : undefined;
  return {
    name,
    run: shipgate(
      model,
      `promote "$SOURCE_ENVIRONMENT" "$ENVIRONMENT"${wait ? ' --wait "$APPROVAL_WAIT"' : ""}`,
    ),
    env: shipgateEnv(model, {
      SOURCE_ENVIRONMENT: env.trigger.from,
      ENVIRONMENT: env.name,
      APPROVAL_WAIT: wait,
    }),
  };
}

/**
 * Where shipgate keeps a local target's ledger, artifacts and agent on the runner: outside the
 * checkout, which actions/checkout cleans (`git clean -ffdx`) at the start of every job — a
 * `.shipgate/` inside it would be deleted under the running environment.
 */
export const LOCAL_STATE_DIR = "${XDG_STATE_HOME:-$HOME/.local/state}/shipgate/$GITHUB_REPOSITORY";

export function localStateStep(): YamlMap {
  return {
    name: "Keep shipgate's state outside the checkout",
    run: comment(
      `echo "SHIPGATE_STATE_DIR=${LOCAL_STATE_DIR}" >> "$GITHUB_ENV"`,
      "actions/checkout cleans the work tree; the ledger, artifacts and agent must outlive it.",
    ),
  };
}

/**
 * The local target: the environment is the machine a self-hosted runner lives on, and
 * shipgate's own engine builds the tarball artifact, rolls it out behind its router,
 * verifies it, analyses canaries and rolls back by itself.
 */
export const localTarget: GithubTarget = {
  verifiesItself: true,
  runsOn: (env) => ["self-hosted", local(env).runner],
  permissions: () => ({}),
  jobEnv: () => ({}),
  buildJob: (model, env) => ({
    name: "Build the release artifact",
    needs: "ci",
    "runs-on": ["self-hosted", local(env).runner],
    "timeout-minutes": 15,
    permissions: { contents: "read" },
    outputs: { artifact: "${{ steps.build.outputs.artifact }}" },
    steps: [
      checkout({ submodules: model.ci.submodules }),
      localStateStep(),
      {
        name: "Build once: tarball of the commit plus its sha256 manifest",
        id: "build",
        ...(model.cli.kind === "tarball" ? { env: shipgateEnv(model) } : {}),
        run: [
          `artifact=$(${shipgate(model, "build --json")} | node -p "JSON.parse(require('fs').readFileSync(0, 'utf8')).artifact")`,
          'echo "artifact=$artifact" >> "$GITHUB_OUTPUT"',
        ].join("\n"),
      },
    ],
  }),
  artifactExists: () => [],
  deploy: (model, env) => [checkout(), localStateStep(), rolloutStep(model, env)],
  rollback: () => [],
};
