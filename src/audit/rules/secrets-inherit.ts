import { defineRule } from "../types.js";

export const secretsInherit = defineRule({
  meta: {
    id: "secrets-inherit",
    name: "Every secret passed to a reusable workflow",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports reusable-workflow calls with `secrets: inherit`, which hand every secret of the repository, organization and environment to the called workflow instead of the few it needs.",
    fixable: false,
  },
  job(job, ctx) {
    if (!job.secretsInherit) return;
    const callee = job.uses?.raw ?? "the called workflow";
    // A workflow of this repository is reviewed with it; one elsewhere is code this repository
    // does not control, handed every secret it has.
    const local = job.uses?.raw.startsWith("./") ?? false;
    ctx.report({
      node: job.secretsInherit,
      key: `${job.id}:${callee}`,
      severity: local ? "note" : undefined,
      message: `job "${job.id}" passes every secret to ${callee} with \`secrets: inherit\`: list only the secrets it uses (secrets: { NAME: \${{ secrets.NAME }} })`,
    });
  },
});
