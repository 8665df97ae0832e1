import { toFinding } from "../finding.js";
import type { SourceFile } from "../model/source.js";
import { defineRule } from "../types.js";

const rule = defineRule({
  meta: {
    id: "ignore-without-reason",
    name: "shipgate-ignore without a reason",
    severity: "warning",
    confidence: "high",
    category: "reliability",
    description: "Reports `# shipgate-ignore` comments that give no reason; such a comment hides nothing.",
    fixable: false,
  },
});

/** Produced while applying inline suppressions. */
export const ignoreWithoutReason = {
  ...rule,
  findingFor(source: SourceFile, line: number, column: number, ruleId: string) {
    return toFinding(
      rule,
      source,
      {
        message: `ignoring ${ruleId} needs a reason: \`# shipgate-ignore ${ruleId}: <why this is safe here>\``,
        region: {
          startLine: line,
          startColumn: column,
          endLine: line,
          endColumn: source.line(line).length + 1,
        },
        key: `${ruleId}@${source.line(line).trim()}`,
      },
      {},
    );
  },
};
