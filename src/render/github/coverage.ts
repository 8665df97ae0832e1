import type { CoverageFormat, CoverageGate } from "../../pipeline/model.js";

/** Formats `shipgate gate coverage` reads (it detects which by the report's content). */
const GATED_BY_SHIPGATE: ReadonlySet<CoverageFormat> = new Set(["lcov", "istanbul-summary", "cobertura"]);

/**
 * For the reports shipgate does not read, a one-number reader in the toolchain's own terms;
 * the comparison with the minimum is shared.
 */
const READERS: Readonly<Record<"jacoco" | "go", (report: string) => string>> = {
  jacoco: (r) =>
    `python3 -c "import xml.etree.ElementTree as E; c = [x for x in E.parse('${r}').getroot().findall('counter') if x.get('type') == 'LINE'][0]; m, h = int(c.get('missed')), int(c.get('covered')); print(round(100 * h / (m + h), 2) if m + h else 0)"`,
  go: (r) => `go tool cover -func="${r}" | awk '/^total:/ { sub(/%/, "", $3); print $3 }'`,
};

/**
 * The coverage gate's script: `shipgate gate coverage` for the formats it reads (a table in
 * the log, a summary on the run page, exit 1 below the minimum), a shell reader otherwise.
 */
export function coverageGateScript(gate: CoverageGate, shipgateVersion: string): string | null {
  if (!gate.report || !gate.format) return null;
  const min = gate.minimum;
  if (GATED_BY_SHIPGATE.has(gate.format)) {
    return `npx --yes shipgate@${shipgateVersion} gate coverage ${gate.report} --min ${min}`;
  }
  const format = gate.format as keyof typeof READERS;
  return [
    `if [ ! -f "${gate.report}" ]; then`,
    `  echo "::error title=Coverage gate::${gate.report} was not written by the test step"`,
    "  exit 1",
    "fi",
    `pct=$(${READERS[format](gate.report)})`,
    `echo "Line coverage: \${pct}% (minimum ${min}%)"`,
    `echo "Line coverage: \${pct}% (minimum ${min}%)" >> "$GITHUB_STEP_SUMMARY"`,
    `if ! awk -v pct="$pct" -v min="${min}" 'BEGIN { exit !(pct + 0 >= min + 0) }'; then`,
    `  echo "::error title=Coverage gate::line coverage \${pct}% is below the ${min}% minimum"`,
    "  exit 1",
    "fi",
  ].join("\n");
}
