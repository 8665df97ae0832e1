import { testName } from "../evaluate/tests.js";
import { formatPct } from "../ratio.js";
import type { GateResult } from "../result.js";
import type { Ratio } from "../types.js";

/**
 * The detail under the summary table, as plain rows, so the terminal and the Markdown step
 * summary say the same thing. Only what someone acting on the result needs: the files to
 * test, the findings to fix, the ignore entries to renew or remove, the tests to look at.
 */
export interface DetailSection {
  title: string;
  header: string[];
  rows: string[][];
  /** Rows left out to keep the output readable. */
  omitted: number;
}

const MAX_ROWS = 20;

export function detailSections(results: readonly GateResult[]): DetailSection[] {
  const sections: DetailSection[] = [];
  const add = (title: string, header: string[], rows: string[][]) => {
    if (rows.length > 0) {
      sections.push({
        title,
        header,
        rows: rows.slice(0, MAX_ROWS),
        omitted: Math.max(0, rows.length - MAX_ROWS),
      });
    }
  };
  for (const result of results) {
    switch (result.gate) {
      case "coverage":
        if (!result.ok) {
          add(
            "coverage: least covered files",
            ["file", "lines", "branches"],
            result.leastCovered.map((f) => [f.file, ratio(f.lines), f.branches ? ratio(f.branches) : "-"]),
          );
        }
        add(
          "coverage: notes",
          ["note"],
          result.notes.map((n) => [n]),
        );
        break;
      case "vulns":
        add(
          `vulns: findings at ${result.failOn}${result.failOn === "critical" ? "" : " or above"}`,
          ["severity", "id", "package", "fixed in", "found in"],
          result.failing.map((f) => [
            f.severity.toUpperCase(),
            f.id,
            [f.package, f.installedVersion].filter(Boolean).join(" ") || "-",
            f.fixedVersion ?? "-",
            f.target ? `${f.file} (${f.target})` : f.file,
          ]),
        );
        add(
          "vulns: ignore list (shipgate.yml gates.vulns.ignore)",
          ["state", "id", "package", "status", "reason"],
          result.ignoreEntries.map((e) => [
            e.state,
            e.entry.id,
            e.entry.package ?? "any",
            e.state === "expired"
              ? `expired ${e.entry.expires}: not ignored since ${e.expiredSince}${e.matched > 0 ? `, ${e.matched === 1 ? "1 finding counts" : `${e.matched} findings count`} again` : ", matched nothing"}`
              : e.state === "unused"
                ? "matched no finding; remove it"
                : `ignores ${e.matched} finding${e.matched === 1 ? "" : "s"} until ${e.entry.expires}`,
            e.entry.reason,
          ]),
        );
        add(
          "vulns: notes",
          ["note"],
          result.notes.map((n) => [n]),
        );
        break;
      case "tests":
        add(
          "tests: failures",
          ["test", "result", "message", "report"],
          result.failures.map((c) => [
            testName(c),
            c.attempts > 1 ? `${c.status} (${c.attempts} attempts)` : c.status,
            c.message ?? "-",
            c.file,
          ]),
        );
        add(
          `tests: flaky (passed on retry${result.failOnFlaky ? "; failOnFlaky is set" : ""})`,
          ["test", "attempts", "first failure", "report"],
          result.flaky.map((c) => [testName(c), String(c.attempts), c.message ?? "-", c.file]),
        );
        add(
          "tests: notes",
          ["note"],
          result.notes.map((n) => [n]),
        );
        break;
    }
  }
  return sections;
}

function ratio(r: Ratio): string {
  return `${formatPct(r.pct)} (${r.covered}/${r.total})`;
}

/** Report paths print relative to the working directory when they are inside it. */
export function shortenPaths(text: string, cwd: string): string {
  const prefix = cwd.endsWith("/") ? cwd : `${cwd}/`;
  return prefix === "/" ? text : text.replaceAll(prefix, "");
}
