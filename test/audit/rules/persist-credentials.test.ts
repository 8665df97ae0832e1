import { describe, expect, test } from "vitest";
import { applyFixes } from "../../../src/audit/fix.js";
import { findingsOf } from "../harness.js";

const ID = "persist-credentials";

const workflow = (steps: string) => `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
const checkout = "      - uses: actions/checkout@v4\n";

describe("persist-credentials", () => {
  test("an explicit setting, false or otherwise, is not reported", () => {
    for (const value of ["false", "'false'", "true", "${{ inputs.persist }}"]) {
      const text = workflow(`${checkout}        with:\n          persist-credentials: ${value}\n`);
      expect(findingsOf(ID, text), value).toEqual([]);
    }
  });

  test("git remotes, pushing tools and pushing actions after the checkout make the fix unsafe", () => {
    const later = [
      "      - run: git fetch origin main\n",
      "      - run: mkdocs gh-deploy --force\n",
      "      - uses: stefanzweifel/git-auto-commit-action@v5\n",
      "      - run: |\n          git add -A\n          git -C docs push\n",
    ];
    for (const step of later) {
      const [finding] = findingsOf(ID, workflow(checkout + step));
      expect(finding?.fix?.safe, step).toBe(false);
    }
    // Only steps after the checkout count.
    const [before] = findingsOf(ID, workflow(`      - run: git push\n${checkout}`));
    expect(before?.fix?.safe).toBe(true);
  });

  test("the fix works at the end of a file without a final newline, and with name: before uses:", () => {
    const text = workflow("      - name: Checkout\n        uses: actions/checkout@v4");
    const fixed = applyFixes(text, findingsOf(ID, text)).text;
    expect(fixed).toBe(
      workflow(
        "      - name: Checkout\n        uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n",
      ),
    );
    expect(findingsOf(ID, fixed)).toEqual([]);
  });

  test("an empty with: gets no second with:", () => {
    const [finding] = findingsOf(ID, workflow(`${checkout}        with:\n`));
    expect(finding).toBeDefined();
    expect(finding!.fix).toBeUndefined();
  });
});
