import { type JobScriptLine, jobScriptLines, scriptOffset } from "../classify.js";
import type { Job, Step } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";
import { laterWaits } from "../waits.js";

/** `aws [global options] ecs update-service|create-service` */
const ECS_ROLLOUT = /\baws(?:\s+--?[\w-]+(?:=\S+|\s+(?!-)\S+)?)*\s+ecs\s+(update-service|create-service)\b/g;
/** Waiting for the deployment: the CLI waiter, or a loop polling the deployment's rolloutState. */
const ECS_WAIT =
  /\baws(?:\s+--?[\w-]+(?:=\S+|\s+(?!-)\S+)?)*\s+ecs\s+wait\s+services-stable\b|\brolloutState\b/;
const DEPLOY_ACTION = "aws-actions/amazon-ecs-deploy-task-definition";

export const ecsNoWait = defineRule({
  meta: {
    id: "ecs-no-wait",
    name: "ECS deploy does not wait for the service to be stable",
    severity: "error",
    confidence: "high",
    category: "delivery",
    description:
      "Reports `aws ecs update-service`/`create-service` with no `aws ecs wait services-stable` after it in the job, and `amazon-ecs-deploy-task-definition` without `wait-for-service-stability: true`.",
    fixable: false,
  },
  job(job, ctx) {
    const lines = jobScriptLines(job, ctx.workflow.source.text);
    const waited = laterWaits(lines, ECS_WAIT);
    lines.forEach((line, i) => {
      for (const match of line.text.matchAll(ECS_ROLLOUT)) {
        const command = segment(line.text.slice(match.index));
        if (match[1] === "update-service" && onlyScales(command)) continue;
        const rest = line.text.slice(match.index + command.length);
        if (ECS_WAIT.test(rest) || waited.afterLine(i)) continue;
        reportCommand(ctx, line, match[0], command);
      }
    });
    for (const step of job.steps) checkAction(job, step, waited.afterStep(step), ctx);
  },
});

/** The command up to the next `&&`, `||`, `|` or `;`. */
function segment(text: string): string {
  return text.split(/&&|\|\|?|;/)[0]!.trimEnd();
}

/** Changing only the desired count scales the running release; it deploys nothing new. */
function onlyScales(command: string): boolean {
  return /--desired-count\b/.test(command) && !/--(task-definition|force-new-deployment)\b/.test(command);
}

function reportCommand(ctx: RuleContext, line: JobScriptLine, needle: string, command: string) {
  const source = ctx.workflow.source;
  const at = scriptOffset(source.text, line, needle);
  ctx.report({
    node: line.step.run!.node,
    region:
      at === undefined
        ? source.regionIn(line.step.run!.node, needle)
        : source.regionOf(at, at + needle.length),
    key: command.replace(/\s+/g, " "),
    message: `${needle.replace(/\s+/g, " ")} returns as soon as ECS accepts the change, before any new task runs: the job goes green even when the new tasks crash-loop. Run aws ecs wait services-stable --cluster <cluster> --services <service> after it`,
  });
}

/** `waitedLater`: whether a script in a later step waits for the service. */
function checkAction(job: Job, step: Step, waitedLater: boolean, ctx: RuleContext) {
  if (step.uses?.repository?.toLowerCase() !== DEPLOY_ACTION) return;
  const wait = step.with.get("wait-for-service-stability");
  if (wait && (/^true$/i.test(wait.value.trim()) || wait.value.includes("${{"))) return;
  if (waitedLater) return;
  ctx.report({
    node: wait?.node ?? step.uses.node,
    key: `${job.id}:${step.id ?? step.name ?? step.uses.raw}`,
    message: `${DEPLOY_ACTION} ${wait ? "with wait-for-service-stability: false" : "without wait-for-service-stability"} finishes when the task definition is registered, before any new task runs: the job goes green even when the new tasks crash-loop. Set wait-for-service-stability: true`,
  });
}
