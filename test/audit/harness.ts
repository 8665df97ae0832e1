import { readFile } from "node:fs/promises";
import { auditWorkflows } from "../../src/audit/engine.js";
import type { Finding } from "../../src/audit/types.js";

export const FIXTURES = new URL("./fixtures/", import.meta.url);

export async function fixture(ruleId: string, name: string): Promise<string | null> {
  return readFile(new URL(`${ruleId}/${name}`, FIXTURES), "utf8").catch(() => null);
}

/** Lines a fixture marks with `# NOT OK` (or `// NOT OK` in embedded scripts): the line below each. */
export function expectedLines(text: string): number[] {
  const lines = text.split("\n");
  const out: number[] = [];
  lines.forEach((line, i) => {
    if (/^\s*(#|\/\/) NOT OK\b/.test(line)) {
      let next = i + 1;
      while (next < lines.length && /^\s*(#|\/\/) NOT OK\b/.test(lines[next]!)) next++;
      out.push(next + 1);
    }
  });
  return out;
}

/** Audits one file as `.github/workflows/<name>` and returns the findings of one rule. */
export function findingsOf(ruleId: string, text: string, name = "workflow.yml"): Finding[] {
  const result = auditWorkflows({ files: [{ path: `.github/workflows/${name}`, text }] });
  return result.findings.filter((f) => f.ruleId === ruleId);
}

/**
 * A one-job workflow whose single step runs `script` (a block scalar, one line per line);
 * `env` is appended to the job's `runs-on:` line (e.g. "\n    env:\n      X: y").
 */
export function scriptWorkflow(script: string, env = ""): string {
  const body = script
    .split("\n")
    .map((l) => `          ${l}`)
    .join("\n");
  return `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest${env}\n    steps:\n      - run: |\n${body}\n`;
}
