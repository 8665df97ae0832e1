import type { Value } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";

/** An `if:` that is one `${{ … }}` and nothing else around it. */
const WHOLE_EXPRESSION = /^\$\{\{(?:(?!\}\})[\s\S])*\}\}$/;

export const conditionAlwaysTrue = defineRule({
  meta: {
    id: "condition-always-true",
    name: "Condition that is always true",
    severity: "error",
    confidence: "high",
    category: "reliability",
    description:
      "Reports job and step `if:` conditions with text outside their `${{ }}` (`if: ${{ inputs.use_oidc }} == 'true'`): GitHub substitutes the expression into the text and a non-empty string is true, so the job or step always runs.",
    fixable: false,
  },
  job(job, ctx) {
    if (job.if) check(job.if, `job "${job.id}"`, ctx);
  },
  step(step, job, ctx) {
    if (step.if)
      check(
        step.if,
        `step ${step.name ? `"${step.name}"` : (step.id ?? step.index + 1)} of job "${job.id}"`,
        ctx,
      );
  },
});

function check(condition: Value<string>, what: string, ctx: RuleContext) {
  const text = condition.value.trim();
  if (!text.includes("${{") || WHOLE_EXPRESSION.test(text)) return;
  const bare = text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, "$1");
  ctx.report({
    node: condition.node,
    key: what,
    message: `the if: of ${what} has text outside its \${{ }}, so GitHub substitutes the expression into a string, and a non-empty string is true: it always runs. Write the whole condition as one expression, or without \${{ }} at all: if: ${bare}`,
  });
}
