import { locateInOrder } from "../locate-lines.js";
import { defineRule } from "../types.js";

/**
 * Contexts an outsider controls: titles, bodies, branch names and commit messages of pull
 * requests, issues and comments. Expanded into a script, they run as shell code.
 */
const UNTRUSTED =
  /\$\{\{\s*(github\.event\.(issue\.(title|body)|pull_request\.(title|body|head\.ref|head\.label|head\.repo\.default_branch)|comment\.body|review\.body|review_comment\.body|discussion\.(title|body)|pages\.[^}]*\.page_name|commits\.[^}]*\.(message|author\.(email|name))|head_commit\.(message|author\.(email|name))|workflow_run\.(head_branch|head_commit\.(message|author\.(email|name))|display_title))|github\.head_ref)\s*\}\}/g;

export const scriptInjection = defineRule({
  meta: {
    id: "script-injection",
    name: "Untrusted input expanded into a script",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports `${{ }}` expressions of attacker-controlled event fields (titles, bodies, branch names, commit messages) inside `run:` scripts and github-script code.",
    fixable: false,
  },
  step(step, _job, ctx) {
    const targets = [
      step.run,
      step.uses?.repository === "actions/github-script" ? step.with.get("script") : undefined,
    ];
    for (const target of targets) {
      if (!target) continue;
      const source = ctx.workflow.source;
      const [start, end] = target.node.range ?? [0, 0];
      const matches = [...target.value.matchAll(UNTRUSTED)];
      // Each expression after the one before: a repeated one points at each place it is written.
      const found = locateInOrder(
        source.text.slice(start, end),
        matches.map((m) => m[0]),
        { atLineStart: false },
      );
      for (const [i, match] of matches.entries()) {
        const at = found[i];
        ctx.report({
          node: target.node,
          region:
            at === undefined
              ? source.region(target.node)
              : source.regionOf(start + at, start + at + match[0].length),
          key: match[0],
          message: `${match[1]} is attacker-controlled and is expanded into the script before it runs: pass it through an environment variable (env: VALUE: \${{ ${match[1]} }}) and use "$VALUE"`,
        });
      }
    }
  },
});
