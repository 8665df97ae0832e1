import { defineRule } from "../types.js";

export const secretsInherit = defineRule({
  meta: {
    id: "secrets-inherit",
    name: "Every secret passed to a reusable workflow",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports reusable-workflow calls with `secrets: inherit`, which hand every secret of the repository, organization and environment to the called workflow instead of the few it needs: a warning for another organisation's workflow, a note for the repository's or its own organisation's.",
    fixable: false,
  },
  job(job, ctx) {
    if (!job.secretsInherit) return;
    const callee = job.uses?.raw ?? "the called workflow";
    // A workflow of this repository, or of its own organisation, is code the same people
    // control, and the only way environment secrets reach a reusable workflow (actions/runner
    // #1490); one elsewhere is code this organisation does not control, handed every secret.
    const owner = /^([\w.-]+)\//.exec(callee)?.[1]?.toLowerCase();
    const own =
      callee.startsWith("./") || (owner !== undefined && owner === ctx.repositoryOwner?.toLowerCase());
    ctx.report({
      node: job.secretsInherit,
      key: `${job.id}:${callee}`,
      severity: own ? "note" : undefined,
      message: `job "${job.id}" passes every secret to ${callee} with \`secrets: inherit\`: list only the secrets it uses (secrets: { NAME: \${{ secrets.NAME }} })`,
    });
  },
});
