import { describe, expect, test } from "vitest";
import { coverageFormat, coverageReportOf } from "../../src/pipeline/defaults.js";

describe("coverageReportOf reads the report a test command writes", () => {
  test.each([
    ["node", "npm test -- --coverage", "coverage/lcov.info"],
    ["node", "pnpm test --coverage --coverage.reporter=json-summary", "coverage/coverage-summary.json"],
    ["node", "node --test", null],
    ["python", "uv run pytest --cov --cov-report=xml", "coverage.xml"],
    ["python", "pytest --cov --cov-report=xml:reports/cov.xml", "reports/cov.xml"],
    ["python", "pytest", null],
    ["go", "go test -race -coverprofile=coverage.out ./...", "coverage.out"],
    ["go", "go test ./...", null],
    ["java", "./mvnw -B verify jacoco:report", "target/site/jacoco/jacoco.xml"],
    ["rust", "cargo test", null],
  ] as const)("%s: %s → %s", (language, command, report) => {
    expect(coverageReportOf(language, command)).toBe(report);
  });

  // The gate would look for a file the shell never wrote under that name, and the path would
  // reach the gate's script: what is not a plain relative path is not a known report.
  test.each([
    ["go", "go test -coverprofile=$(id).out ./..."],
    ["go", "go test -coverprofile=/tmp/coverage.out ./..."],
    ["python", "pytest --cov-report=xml:'cov;id'.xml"],
  ] as const)("%s: %s → no report", (language, command) => {
    expect(coverageReportOf(language, command)).toBeNull();
  });

  test("no test command, no report", () => {
    expect(coverageReportOf("node", undefined)).toBeNull();
  });
});

describe("coverageFormat", () => {
  test.each([
    ["coverage/lcov.info", "lcov"],
    ["coverage/coverage-summary.json", "istanbul-summary"],
    ["coverage.xml", "cobertura"],
    ["target/site/jacoco/jacoco.xml", "jacoco"],
    ["coverage.out", "go"],
    ["coverage/coverage-final.json", null],
  ] as const)("%s → %s", (report, format) => {
    expect(coverageFormat(report)).toBe(format);
  });
});
