import type { ProjectFiles } from "./files.js";

const EXTENSIONS = ["ts", "mts", "cts", "js", "mjs", "cjs"];
const CONFIG_FILES: Readonly<Record<"jest" | "vitest", string[]>> = {
  jest: [...EXTENSIONS, "json"].map((ext) => `jest.config.${ext}`),
  vitest: ["vitest", "vite"].flatMap((base) => EXTENSIONS.map((ext) => `${base}.config.${ext}`)),
};
const SUMMARY = "coverage/coverage-summary.json";
const LCOV = "coverage/lcov.info";

export interface NodeCoverage {
  /** Arguments to append to the test script; empty when the script already writes the report. */
  args: string[];
  report: string;
  notes: string[];
}

/**
 * The report a jest or vitest run will write. Configuration is only searched as text: a
 * reporter named there is trusted; otherwise reporters are chosen on the command line, so the
 * report named is always one the command writes. Jest writes lcov unless told otherwise;
 * vitest's default reporters include neither lcov nor a summary.
 */
export async function coverageForScript(options: {
  files: ProjectFiles;
  runner: "jest" | "vitest";
  script: string;
  /** The `jest` key of package.json, which configures jest like a config file. */
  jestConfig: unknown;
  deps: Record<string, string>;
}): Promise<NodeCoverage> {
  const { files, runner, script, deps } = options;
  let config =
    runner === "jest" && options.jestConfig !== undefined ? JSON.stringify(options.jestConfig) : "";
  for (const file of CONFIG_FILES[runner]) config += (await files.text(file)) ?? "";

  const args = /--coverage\b/.test(script) ? [] : ["--coverage"];
  const notes: string[] = [];
  let report: string;
  if (config.includes("json-summary")) report = SUMMARY;
  else if (config.includes("lcov") || (runner === "jest" && !config.includes("coverageReporters")))
    report = LCOV;
  else {
    report = SUMMARY;
    args.push(
      ...(runner === "jest"
        ? ["--coverageReporters=json-summary", "--coverageReporters=text"]
        : ["--coverage.reporter=json-summary", "--coverage.reporter=text"]),
    );
  }
  if (runner === "vitest" && !Object.keys(deps).some((d) => d.startsWith("@vitest/coverage-"))) {
    notes.push(
      "vitest measures coverage with @vitest/coverage-v8 (or -istanbul); add it to devDependencies.",
    );
  }
  return { args, report, notes };
}
