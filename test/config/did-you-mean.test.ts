import { describe, expect, test } from "vitest";
import { didYouMean, editDistance } from "../../src/config/did-you-mean.js";

describe("editDistance", () => {
  test.each([
    ["commands", "commands", 0],
    ["comands", "commands", 1],
    ["stagnig", "staging", 1],
    ["ecz", "ecs", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("%s → %s is %i", (a, b, distance) => {
    expect(editDistance({ a, b })).toBe(distance);
  });
});

describe("didYouMean", () => {
  const keys = ["name", "path", "language", "commands", "healthPath", "readyPath"];

  test("suggests a key within two edits", () => {
    expect(didYouMean({ input: "comands", candidates: keys })).toBe("commands");
    expect(didYouMean({ input: "langauge", candidates: keys })).toBe("language");
  });

  test("matches case-insensitively whatever the distance", () => {
    expect(didYouMean({ input: "HEALTHPATH", candidates: keys })).toBe("healthPath");
  });

  test("suggests nothing for distant or very short input", () => {
    expect(didYouMean({ input: "profile", candidates: keys })).toBeUndefined();
    expect(didYouMean({ input: "x", candidates: ["go"] })).toBeUndefined();
  });

  test("prefers the closest candidate", () => {
    expect(didYouMean({ input: "paths", candidates: ["name", "path"] })).toBe("path");
  });
});
