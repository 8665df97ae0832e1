import type { CoverageFormat, CoverageGate } from "../../pipeline/model.js";

/**
 * Reads line coverage from the report the test command wrote and fails below the minimum.
 * Each reader prints one number (percent); the comparison is shared.
 */
const READERS: Readonly<Record<CoverageFormat, (report: string) => string>> = {
  lcov: (r) =>
    `awk -F: '/^LF:/ { total += $2 } /^LH:/ { hit += $2 } END { printf "%.2f", total ? 100 * hit / total : 0 }' "${r}"`,
  "istanbul-summary": (r) => `node -p "require('./${r}').total.lines.pct"`,
  cobertura: (r) =>
    `python3 -c "import xml.etree.ElementTree as E; print(round(float(E.parse('${r}').getroot().get('line-rate')) * 100, 2))"`,
  jacoco: (r) =>
    `python3 -c "import xml.etree.ElementTree as E; c = [x for x in E.parse('${r}').getroot().findall('counter') if x.get('type') == 'LINE'][0]; m, h = int(c.get('missed')), int(c.get('covered')); print(round(100 * h / (m + h), 2) if m + h else 0)"`,
  go: (r) => `go tool cover -func="${r}" | awk '/^total:/ { sub(/%/, "", $3); print $3 }'`,
};

export function coverageGateScript(gate: CoverageGate): string | null {
  if (!gate.report || !gate.format) return null;
  const min = gate.minimum;
  return [
    `if [ ! -f "${gate.report}" ]; then`,
    `  echo "::error title=Coverage gate::${gate.report} was not written by the test step"`,
    "  exit 1",
    "fi",
    `pct=$(${READERS[gate.format](gate.report)})`,
    `echo "Line coverage: \${pct}% (minimum ${min}%)"`,
    `echo "Line coverage: \${pct}% (minimum ${min}%)" >> "$GITHUB_STEP_SUMMARY"`,
    `if ! awk -v pct="$pct" -v min="${min}" 'BEGIN { exit !(pct + 0 >= min + 0) }'; then`,
    `  echo "::error title=Coverage gate::line coverage \${pct}% is below the ${min}% minimum"`,
    "  exit 1",
    "fi",
  ].join("\n");
}
