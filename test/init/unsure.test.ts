import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { renderConfig, unsureValues } from "../../src/init/index.js";
import { detection } from "./detections.js";

/** The comment lines directly above the line that sets `key` (at any depth). */
function commentAbove(text: string, key: string): string {
  const lines = text.split("\n");
  const at = lines.findIndex((line) => new RegExp(`^\\s*${key}:`).test(line));
  expect(at, `${key} is set`).toBeGreaterThan(0);
  const above: string[] = [];
  for (let i = at - 1; i >= 0 && /^\s*#/.test(lines[i]!); i--) above.unshift(lines[i]!.trim());
  return above.join(" ");
}

const guessed = detection({
  healthPath: "/health",
  port: 3000,
  commands: { install: "npm ci", test: "npm test" },
  sources: {
    install: "package-lock.json (npm)",
    test: 'package.json script "test"',
    port: "the default port of an Express app",
  },
  unsure: {
    healthPath: "no health check or health route found: /health is a placeholder",
    port: "the default port of an Express app",
    branch: "no remote default branch or CI trigger found: the branch pull requests target",
    test: "npm test for node; nothing in the repository runs it",
  },
});

describe("Replace markers: every guess is marked where it stands and listed", () => {
  test("each unsure value carries a Replace comment with the reason; detected ones say where they came from", () => {
    const text = renderConfig({ detection: guessed, target: "ecs" });
    expect(commentAbove(text, "healthPath")).toContain(
      "# Replace with your health endpoint: no health check or health route found: /health is a placeholder.",
    );
    expect(commentAbove(text, "port")).toContain("# Replace: the default port of an Express app.");
    expect(commentAbove(text, "branches")).toContain(
      "# Replace: no remote default branch or CI trigger found",
    );
    expect(commentAbove(text, "test")).toContain(
      "# Replace: npm test for node; nothing in the repository runs it.",
    );
    expect(commentAbove(text, "install")).toBe("# From package-lock.json (npm).");
    expect(parseConfig({ text, file: "shipgate.yml" }).app.port).toBe(3000);
  });

  test("init lists the same values by key, with the deploy target's placeholders", () => {
    const keys = unsureValues({
      detection: guessed,
      target: "ecs",
      answeredUrls: { staging: true, production: false },
    }).map((u) => u.key);
    expect(keys).toEqual([
      "app.healthPath",
      "app.port",
      "ci.branches",
      "app.commands.test",
      "environments.*.target",
      "environments.production.url",
      "aws.roleArn",
    ]);
  });

  test("nothing detected is presented as detected: a detection with no sources has no From comments", () => {
    const text = renderConfig({ detection: detection({ sources: {}, unsure: {} }), target: "local" });
    expect(text).not.toMatch(/# From /);
  });

  test("the local target has no placeholders of its own to replace", () => {
    const values = unsureValues({
      detection: detection(),
      target: "local",
      answeredUrls: { staging: false, production: false },
    });
    expect(values).toEqual([]);
  });
});
