import { redact } from "../../redact.js";
import type { Finding } from "../types.js";

const LEVEL = { error: "error", warning: "warning", note: "notice" } as const;

// Workflow commands: data escapes %, CR and LF; properties also escape ":" and ",".
const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const property = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** GitHub workflow-command annotations: each finding shows on the file in the pull request. */
export function renderGithub(findings: Finding[]): string {
  return findings
    .map((f) => {
      const r = f.region;
      const props = [
        `file=${property(f.file)}`,
        `line=${r.startLine}`,
        `col=${r.startColumn}`,
        `endLine=${r.endLine}`,
        `endColumn=${r.endColumn}`,
        `title=${property(`shipgate ${f.ruleId}`)}`,
      ].join(",");
      return `::${LEVEL[f.severity]} ${props}::${data(redact(`${f.message} (${f.docsUrl})`))}\n`;
    })
    .join("");
}
