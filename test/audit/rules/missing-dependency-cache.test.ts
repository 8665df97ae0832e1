import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "missing-dependency-cache";

const job = (steps: string) => `on: pull_request
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
${steps}`;

describe(ID, () => {
  test("setup-go before v4 does not cache unless asked", () => {
    expect(
      findingsOf(ID, job("      - uses: actions/setup-go@v3\n      - run: go build ./...\n")),
    ).toHaveLength(1);
    const cached =
      "      - uses: actions/setup-go@v3\n        with:\n          cache: true\n      - run: go build ./...\n";
    expect(findingsOf(ID, job(cached))).toEqual([]);
  });

  test("the advice names the package manager the job uses", () => {
    const [finding] = findingsOf(
      ID,
      job("      - uses: actions/setup-node@v4\n      - run: pnpm install --frozen-lockfile\n"),
    );
    expect(finding!.message).toContain("cache: pnpm");
  });

  test("an install of another ecosystem does not count", () => {
    expect(
      findingsOf(
        ID,
        job("      - uses: actions/setup-node@v4\n      - run: pip install -r requirements.txt\n"),
      ),
    ).toEqual([]);
  });
});
