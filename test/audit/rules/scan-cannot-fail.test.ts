import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "scan-cannot-fail";

const job = (steps: string, jobEnv = "") => `on: push
jobs:
  scan:
    runs-on: ubuntu-latest${jobEnv}
    steps:
${steps}`;

const count = (text: string) => findingsOf(ID, text).length;

describe(ID, () => {
  test("trivy-action: SARIF, SBOM and config-file runs are reports, not gates", () => {
    for (const inputs of [
      "format: sarif",
      "format: template\n          template: '@/contrib/sarif.tpl'\n          output: trivy.sarif",
      "format: cyclonedx",
      "trivy-config: trivy.yaml",
      "exit-code: ${{ inputs.blocking && '1' || '0' }}",
    ]) {
      const text = job(
        `      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          image-ref: app\n          ${inputs}\n`,
      );
      expect(count(text), inputs).toBe(0);
    }
    const envSet = job(
      "      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          image-ref: app\n",
      "\n    env:\n      TRIVY_EXIT_CODE: 1",
    );
    expect(count(envSet)).toBe(0);
  });

  test("the trivy CLI exits 0 on findings unless told otherwise", () => {
    const run = (command: string, jobEnv = "") => count(job(`      - run: ${command}\n`, jobEnv));
    expect(run("trivy image app:1")).toBe(1);
    expect(run("trivy image --exit-code 0 --severity CRITICAL app:1")).toBe(1);
    expect(run("trivy image --exit-code 1 --severity CRITICAL app:1")).toBe(0);
    expect(run("trivy fs --format sarif -o trivy.sarif .")).toBe(0);
    expect(run("trivy image -c trivy.yaml app:1")).toBe(0);
    expect(run("trivy image app:1", "\n    env:\n      TRIVY_EXIT_CODE: 1")).toBe(0);
  });

  test("no automatic fix for a flow-style with", () => {
    const [finding] = findingsOf(
      ID,
      job("      - uses: aquasecurity/trivy-action@0.28.0\n        with: { image-ref: app }\n"),
    );
    expect(finding).toBeDefined();
    expect(finding!.fix).toBeUndefined();
  });

  test("continue-on-error is fine when the results go to code scanning", () => {
    const text = job(`      - uses: snyk/actions/node@master
        continue-on-error: true
      - uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: snyk.sarif
`);
    expect(count(text)).toBe(0);
  });

  test("a continue-on-error expression (an experimental matrix leg) is not reported", () => {
    expect(
      count(job("      - run: npm audit\n        continue-on-error: ${{ matrix.experimental }}\n")),
    ).toBe(0);
  });

  test("fallbacks that still fail, and `; true`, are not reported", () => {
    for (const run of [
      "npm audit || exit 1",
      'npm audit || { echo "::error::audit failed"; exit 1; }',
      "npm audit || (echo failed && false)",
      "npm audit; true",
      "npm audit fix || true",
    ]) {
      expect(count(job(`      - run: ${JSON.stringify(run)}\n`)), run).toBe(0);
    }
  });

  test("a warn-then-block pair written with || true is not reported; alone it is", () => {
    const warnOnly = "      - run: yarn audit --level high || true\n";
    expect(count(job(warnOnly))).toBe(1);
    expect(count(job(`${warnOnly}      - run: yarn audit --level critical\n`))).toBe(0);
  });

  test("scanners run through docker are recognised", () => {
    const text = job('      - run: docker run --rm -v "$PWD:/src" aquasec/trivy:0.50.0 fs /src || true\n');
    expect(count(text)).toBe(1);
  });

  test("a report written to a file only uploaded as an artifact is still not a gate", () => {
    const text = job(`      - run: npm audit --json > audit.json || true
      - uses: actions/upload-artifact@v4
        with:
          name: audit
          path: audit.json
`);
    expect(count(text)).toBe(1);
  });
});
