import type { CoverageFormat, CoverageGate, PipelineModel } from "../../pipeline/model.js";
import type { YamlMap } from "../yaml-emit.js";
import { shipgateCommand } from "./shipgate-cli.js";

/** Formats `shipgate gate coverage` reads (it detects which by the report's content). */
const GATED_BY_SHIPGATE: ReadonlySet<CoverageFormat> = new Set(["lcov", "istanbul-summary", "cobertura"]);

/**
 * For the reports shipgate does not read, a one-number reader in the toolchain's own terms;
 * the comparison with the minimum is shared. Each reads the report's path from
 * `$COVERAGE_REPORT`, so no path is ever part of the script.
 */
const READERS: Readonly<Record<"jacoco" | "go", string>> = {
  jacoco: `python3 -c "import os, xml.etree.ElementTree as E; c = [x for x in E.parse(os.environ['COVERAGE_REPORT']).getroot().findall('counter') if x.get('type') == 'LINE'][0]; m, h = int(c.get('missed')), int(c.get('covered')); print(round(100 * h / (m + h), 2) if m + h else 0)"`,
  go: `go tool cover -func="$COVERAGE_REPORT" | awk '/^total:/ { sub(/%/, "", $3); print $3 }'`,
};

/**
 * The coverage gate: `shipgate gate coverage` for the formats it reads (a table in the log, a
 * summary on the run page, exit 1 below the minimum), a shell reader otherwise.
 */
export function coverageGateStep(model: PipelineModel): YamlMap | null {
  const gate: CoverageGate = model.ci.coverage;
  if (!gate.report || !gate.format) return null;
  const min = gate.minimum;
  const shipgate = shipgateCommand(model, `gate coverage "$COVERAGE_REPORT" --min ${min}`);
  const byShipgate = GATED_BY_SHIPGATE.has(gate.format);
  const run = byShipgate
    ? shipgate.run
    : [
        'if [ ! -f "$COVERAGE_REPORT" ]; then',
        '  echo "::error title=Coverage gate::$COVERAGE_REPORT was not written by the test step"',
        "  exit 1",
        "fi",
        `pct=$(${READERS[gate.format as keyof typeof READERS]})`,
        `echo "Line coverage: \${pct}% (minimum ${min}%)"`,
        `echo "Line coverage: \${pct}% (minimum ${min}%)" >> "$GITHUB_STEP_SUMMARY"`,
        `if ! awk -v pct="$pct" -v min="${min}" 'BEGIN { exit !(pct + 0 >= min + 0) }'; then`,
        `  echo "::error title=Coverage gate::line coverage \${pct}% is below the ${min}% minimum"`,
        "  exit 1",
        "fi",
      ].join("\n");
  return {
    name: `Coverage gate (>= ${min}% of lines)`,
    run,
    env: { COVERAGE_REPORT: gate.report, ...(byShipgate ? shipgate.env : {}) },
  };
}
