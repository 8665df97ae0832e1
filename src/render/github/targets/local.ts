import type { EnvironmentPlan, PipelineModel } from "../../../pipeline/model.js";
import { checkout } from "../steps.js";
import type { GithubTarget } from "./types.js";

function local(env: EnvironmentPlan) {
  if (env.target.type !== "local") throw new Error(`environment ${env.name} is not a local target`);
  return env.target;
}

function shipgate(model: PipelineModel, args: string): string {
  return `npx --yes shipgate@${model.shipgateVersion} ${args}`;
}

/**
 * Where GitHub's required reviewers are not available (private repositories below
 * Enterprise), shipgate's own approval gate holds the promotion: the job waits on the
 * ledger's decision for as long as the request is valid.
 */
function approvalWait(env: EnvironmentPlan): string {
  return env.approval.required ? ` --wait ${env.approval.expiresAfter ?? "24h"}` : "";
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
      checkout(),
      {
        name: "Build once: tarball of the commit plus its sha256 manifest",
        id: "build",
        run: [
          `artifact=$(${shipgate(model, "build --json")} | node -p "JSON.parse(require('fs').readFileSync(0, 'utf8')).artifact")`,
          'echo "artifact=$artifact" >> "$GITHUB_OUTPUT"',
        ].join("\n"),
      },
    ],
  }),
  artifactExists: () => [],
  deploy: (model, env) => [
    checkout(),
    {
      name: `Roll out to ${env.name} (verifies and rolls back on its own)`,
      run:
        env.trigger.kind === "promote"
          ? shipgate(model, `promote ${env.trigger.from} ${env.name}${approvalWait(env)}`)
          : shipgate(model, `deploy ${env.name} --artifact "$ARTIFACT"`),
    },
  ],
  rollback: () => [],
};
