import type { SourceFile } from "./model/source.js";
import { ignoreWithoutReason } from "./rules/ignore-without-reason.js";
import type { Finding } from "./types.js";

const IGNORE = /#\s*shipgate-ignore\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?::\s*(.*\S))?\s*$/;

interface IgnoreComment {
  line: number;
  column: number;
  ids: string[];
  reason: string | null;
}

function ignoreComments(source: SourceFile): Map<number, IgnoreComment> {
  const out = new Map<number, IgnoreComment>();
  // Most files have none; skip the per-line scan for them.
  if (!source.text.includes("shipgate-ignore")) return out;
  source.text.split("\n").forEach((text, i) => {
    const match = IGNORE.exec(text);
    if (!match) return;
    out.set(i + 1, {
      line: i + 1,
      column: (match.index ?? 0) + 1,
      ids: match[1]!.split(",").map((s) => s.trim()),
      reason: match[2] ?? null,
    });
  });
  return out;
}

/**
 * `# shipgate-ignore <id>[, <id>]: <reason>` on a finding's line or the line above hides it.
 * The reason is required: an ignore without one hides nothing and is itself reported.
 */
export function applySuppressions(findings: Finding[], sources: Map<string, SourceFile>) {
  const comments = new Map<string, Map<number, IgnoreComment>>();
  for (const [path, source] of sources) comments.set(path, ignoreComments(source));
  const kept: Finding[] = [];
  const suppressed: Array<Finding & { reason: string }> = [];
  const extra: Finding[] = [];
  const reportedBare = new Set<string>();

  for (const finding of findings) {
    const byLine = comments.get(finding.file);
    const line = finding.region.startLine;
    const comment = [byLine?.get(line), byLine?.get(line - 1)].find((c) => c?.ids.includes(finding.ruleId));
    if (comment?.reason) {
      suppressed.push({ ...finding, reason: comment.reason });
      continue;
    }
    kept.push(finding);
    if (comment && !reportedBare.has(`${finding.file}:${comment.line}`)) {
      reportedBare.add(`${finding.file}:${comment.line}`);
      extra.push(
        ignoreWithoutReason.findingFor(
          sources.get(finding.file)!,
          comment.line,
          comment.column,
          finding.ruleId,
        ),
      );
    }
  }
  return { kept, suppressed, extra };
}
