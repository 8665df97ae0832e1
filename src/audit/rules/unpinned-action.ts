import { findMajorPin, findPin } from "../../pins/index.js";
import type { SourceFile } from "../model/source.js";
import type { UsesRef } from "../model/workflow.js";
import { defineRule, type Fix, type RuleContext } from "../types.js";

const FULL_SHA = /^[0-9a-f]{40}$/;
/**
 * Reusable workflows that must be called by their release tag: the SLSA generators prove
 * which release built an artifact from the workflow ref in the OIDC token, and refuse a SHA.
 */
const TAG_BY_DESIGN = /^slsa-framework\/slsa-github-generator\/\.github\/workflows\/[^@]+@v\d+\.\d+\.\d+$/;

export const unpinnedAction = defineRule({
  meta: {
    id: "unpinned-action",
    name: "Action not pinned to a commit SHA",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports remote actions and reusable workflows referenced by a tag or branch instead of a full commit SHA.",
    fixable: true,
  },
  step(step, _job, ctx) {
    if (step.uses) check(step.uses, ctx.workflow.source, ctx.report);
  },
  job(job, ctx) {
    if (job.uses) check(job.uses, ctx.workflow.source, ctx.report);
  },
});

function check(uses: UsesRef, source: SourceFile, report: RuleContext["report"]) {
  if (uses.kind === "local" || (uses.kind === "reusable-workflow" && uses.raw.startsWith("./"))) return;
  if (uses.kind === "docker") {
    if (!uses.ref?.includes("@sha256:")) {
      report({
        node: uses.node,
        message: `${uses.raw} is a mutable image tag: pin it by digest (docker://image@sha256:...)`,
      });
    }
    return;
  }
  if (uses.ref && FULL_SHA.test(uses.ref)) return;
  if (TAG_BY_DESIGN.test(uses.raw)) return;
  const fix = pinFix(uses, source);
  const what = uses.ref ? `${uses.repository}@${uses.ref}` : uses.raw;
  report({
    node: uses.node,
    message: `${what} can change under you (a moved tag or a compromised release): pin a full commit SHA${fix ? `, e.g. ${fix.pinned}` : ""}`,
    fix: fix?.fix,
  });
}

function pinFix(uses: UsesRef, source: SourceFile): { fix: Fix; pinned: string } | undefined {
  if (!uses.repository || uses.kind !== "action") return undefined;
  const major = /^v?(\d+)$/.exec(uses.ref ?? "");
  // A moving major tag is pinned to the newest release of that major (same inputs): safe.
  // Anything else (an exact tag, a branch) changes the version that runs: offered, not applied.
  const pin = major ? findMajorPin(uses.repository, `v${major[1]}`) : findPin(uses.repository);
  if (!pin) return undefined;
  const subpath = uses.raw.slice(
    uses.repository.length,
    uses.raw.lastIndexOf("@") >= 0 ? uses.raw.lastIndexOf("@") : undefined,
  );
  const [start, end] = uses.node.range ?? [0, 0];
  const lineEnd = source.text.indexOf("\n", end);
  const rest = source.text.slice(end, lineEnd < 0 ? undefined : lineEnd);
  const comment = rest.includes("#") ? "" : ` # ${pin.tag}`;
  const value = `${pin.uses.split("@")[0]}${subpath}@${pin.uses.split("@")[1]}`;
  return {
    pinned: `${value} # ${pin.tag}`,
    fix: {
      description: `pin ${uses.raw} to ${pin.tag} (${pin.uses.split("@")[1]!.slice(0, 12)})`,
      safe: Boolean(major),
      edits: [{ start, end, text: `${value}${comment}` }],
    },
  };
}
