import { describe, expect, test } from "vitest";
import { commandKind } from "../../src/detect/command-kinds.js";

describe("commandKind: what a command found in CI or a task runner is for", () => {
  test("a root script named ci:<job> is that job, not an install", () => {
    expect(commandKind("pnpm ci:test")).toBe("test");
    expect(commandKind("pnpm ci:lint")).toBe("lint");
    expect(commandKind("npm ci:build")).toBe("build");
    expect(commandKind("npm ci")).toBe("install");
    expect(commandKind("pnpm i --frozen-lockfile")).toBe("install");
  });

  test("shell assignments run nothing, whatever the value names", () => {
    expect(commandKind('failed_jobs+=("frontend-test-without-ee")')).toBeNull();
    expect(commandKind("suites[0]=unit-test")).toBeNull();
    expect(commandKind("TARGET=test")).toBeNull();
    // A variable set for one command is not an assignment of its own.
    expect(commandKind("TZ=UTC yarn test")).toBe("test");
  });
});
