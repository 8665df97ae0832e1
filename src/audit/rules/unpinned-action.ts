import { findMajorPin, findPin } from "../../pins/index.js";
import type { SourceFile } from "../model/source.js";
import type { UsesRef } from "../model/workflow.js";
import { defineRule, type Fix, type RuleContext, type Severity } from "../types.js";

const FULL_SHA = /^[0-9a-f]{40}$/;
/** `v4`, `v4.2.1`, `1.2`, `v2.0.0-beta.1`: a release tag. Anything else (`main`, `stable`) may be a branch. */
const VERSION_TAG = /^v?\d+(\.\d+)*([-+][\w.-]+)?$/;
/** GitHub's own actions: the same party as the runner that executes them. */
const GITHUB_OWNED = new Set(["actions", "github"]);
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
    if (step.uses) check(step.uses, ctx);
  },
  job(job, ctx) {
    if (job.uses) check(job.uses, ctx);
  },
});

function check(uses: UsesRef, ctx: RuleContext) {
  if (uses.kind === "local" || (uses.kind === "reusable-workflow" && uses.raw.startsWith("./"))) return;
  if (uses.kind === "docker") {
    if (!uses.ref?.includes("@sha256:")) {
      // `docker://alpine` and `:latest` move with every push, like a branch; a versioned tag
      // can be re-pushed, like a release tag.
      const floating = !/:[^/]+$/.test(uses.raw) || uses.raw.endsWith(":latest");
      ctx.report({
        node: uses.node,
        message: `${uses.raw} is a mutable image tag: pin it by digest (docker://image@sha256:...)`,
        severity: floating ? "error" : "warning",
      });
    }
    return;
  }
  if (uses.ref && FULL_SHA.test(uses.ref)) return;
  if (TAG_BY_DESIGN.test(uses.raw)) return;
  const fix = pinFix(uses, ctx.workflow.source);
  const what = uses.ref ? `${uses.repository}@${uses.ref}` : uses.raw;
  const { severity, whose } = grade(uses, ctx.repositoryOwner);
  const risk = isTag(uses) ? "a moved tag or a compromised release" : "every push to that branch runs here";
  ctx.report({
    node: uses.node,
    message: `${what}${whose} can change under you (${risk}): pin a full commit SHA${fix ? `, e.g. ${fix.pinned}` : ""}`,
    severity,
    fix: fix?.fix,
  });
}

function isTag(uses: UsesRef): boolean {
  return Boolean(uses.ref && VERSION_TAG.test(uses.ref));
}

/**
 * How much a moving reference risks depends on who can move it. The repository's own
 * organisation already controls what its workflows run (a note); GitHub's own actions by a
 * release tag are as trusted as the runner itself (a note; by a branch, a warning); a third
 * party's release tag can be moved by anyone who takes over that account (a warning), and its
 * branch changes with every push (an error).
 */
function grade(uses: UsesRef, repositoryOwner: string | undefined): { severity: Severity; whose: string } {
  const owner = uses.repository?.split("/")[0]?.toLowerCase() ?? "";
  if (repositoryOwner && owner === repositoryOwner.toLowerCase())
    return { severity: "note", whose: " (your own organisation's)" };
  if (GITHUB_OWNED.has(owner))
    return { severity: isTag(uses) ? "note" : "warning", whose: " (GitHub's own)" };
  return { severity: isTag(uses) ? "warning" : "error", whose: "" };
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
