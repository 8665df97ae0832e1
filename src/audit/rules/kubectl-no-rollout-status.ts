import { type JobScriptLine, jobScriptLines, scriptOffset } from "../classify.js";
import { CRONJOB_IMAGE } from "../post-deploy-check.js";
import { defineRule, type RuleContext } from "../types.js";
import { laterWaits } from "../waits.js";

/** Global options between the program and its subcommand: `kubectl -n prod apply`, `--context=x`. */
const OPTIONS = String.raw`(?:\s+--?[\w-]+(?:=\S+|\s+(?!-)[^\s;&|]+)?)*`;
const ROLLOUT = new RegExp(
  String.raw`\b(?:kubectl${OPTIONS}\s+(?:apply|set\s+image|rollout\s+restart)|helm${OPTIONS}\s+(?:upgrade|install))\b`,
  "g",
);
/** Waiting for the rollout: `kubectl rollout status`, or `kubectl wait --for=condition=...`. */
const WAITS = new RegExp(String.raw`\bkubectl${OPTIONS}\s+(?:rollout\s+status|wait)\b`);

export const kubectlNoRolloutStatus = defineRule({
  meta: {
    id: "kubectl-no-rollout-status",
    name: "Kubernetes rollout not awaited",
    severity: "error",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports `kubectl apply`, `kubectl set image`, `kubectl rollout restart` and `helm upgrade`/`helm install` with no `kubectl rollout status` (or `--wait`) after them in the job.",
    fixable: false,
  },
  job(job, ctx) {
    const lines = jobScriptLines(job, ctx.workflow.source.text);
    const waited = laterWaits(lines, WAITS);
    lines.forEach((line, i) => {
      for (const match of line.text.matchAll(ROLLOUT)) {
        const command = segment(line.text.slice(match.index));
        if (/--dry-run\b(?!=none)|\bapply\s+(view|set|edit)-last-applied\b/.test(command)) continue;
        if (/--(wait|atomic|rollback-on-failure)\b(?!=false)/.test(command)) continue;
        if (appliesOnlyNonWorkloads(command) || CRONJOB_IMAGE.test(command)) continue;
        const rest = line.text.slice(match.index + command.length);
        if (WAITS.test(rest) || waited.afterLine(i)) continue;
        report(ctx, line, match[0], command);
      }
    });
  },
});

/** Manifests named for a kind that has no rollout: `service.yaml`, `web-ingress.yml`, `configmap.json`. */
const NON_WORKLOAD =
  /(^|[-_./])(service|svc|ingress|configmap|secret|namespace|ns|rbac|role|rolebinding|clusterrole|clusterrolebinding|serviceaccount|sa|pvc|hpa|pdb|networkpolicy|crd|certificate|issuer)s?\.(ya?ml|json)$/i;

/** `kubectl apply -f` of files that all name a kind without pods: nothing to wait for. */
function appliesOnlyNonWorkloads(command: string): boolean {
  if (!/^kubectl\b.*\sapply\b/.test(command)) return false;
  const files = [...command.matchAll(/(?:^|\s)(?:-f|--filename)(?:=|\s+)(\S+)/g)].map((m) =>
    m[1]!.replace(/^["']|["']$/g, ""),
  );
  return files.length > 0 && files.every((f) => NON_WORKLOAD.test(f));
}

/** The command up to the next `&&`, `||`, `|` or `;`. */
function segment(text: string): string {
  return text.split(/&&|\|\|?|;/)[0]!.trimEnd();
}

function report(ctx: RuleContext, line: JobScriptLine, needle: string, command: string) {
  const source = ctx.workflow.source;
  const at = scriptOffset(source.text, line, needle);
  const what = needle.replace(/\s+/g, " ");
  const fix = /^helm\b/.test(what)
    ? "add --wait (or --atomic to also roll back a release that never becomes ready)"
    : "run kubectl rollout status deployment/<name> --timeout=10m after it";
  ctx.report({
    node: line.step.run!.node,
    region:
      at === undefined
        ? source.regionIn(line.step.run!.node, needle)
        : source.regionOf(at, at + needle.length),
    key: command.replace(/\s+/g, " "),
    message: `${what} returns as soon as the API server accepts the change, before any new pod is ready: the job goes green even when the new pods crash-loop. ${fix[0]!.toUpperCase()}${fix.slice(1)}`,
  });
}
