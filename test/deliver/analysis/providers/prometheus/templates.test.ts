import { describe, expect, test } from "vitest";
import {
  checkPlaceholders,
  expandTemplate,
  placeholders,
  promqlString,
} from "../../../../../src/deliver/analysis/providers/prometheus/templates.js";
import { isShipgateError } from "../../../../../src/errors.js";

describe("PromQL templates", () => {
  test("fill in the selector, then the release and the other values", () => {
    expect(
      expandTemplate('http_requests_total{ {{ selector }}, route!~"/health|/metrics" }', {
        selector: 'namespace="{{ target.namespace }}", shipgate_release="{{release}}"',
        variables: { release: "production-7-a1b2c3", "target.namespace": "shop" },
      }),
    ).toBe(
      'http_requests_total{ namespace="shop", shipgate_release="production-7-a1b2c3", route!~"/health|/metrics" }',
    );
  });

  test("a value can never end its string and add matchers", () => {
    const expanded = expandTemplate('m{ release="{{ release }}" }', {
      variables: { release: 'x", job="other' },
    });
    expect(expanded).toBe('m{ release="x\\", job=\\"other" }');
    expect(promqlString("a\\b\nc")).toBe("a\\\\b\\nc");
  });

  test("placeholders are listed once, in order", () => {
    expect(placeholders("{{ selector }} {{release}} {{ selector }} {{ target.deployment }}")).toEqual([
      "selector",
      "release",
      "target.deployment",
    ]);
  });

  test("a placeholder with no value is a configuration error that names it and the ones there are", () => {
    let caught: unknown;
    try {
      checkPlaceholders({
        templates: { selector: 'pod=~"{{ target.deployment }}-.*"' },
        known: ["env", "app", "target.port"],
        where: "environments.production.analysis.provider",
      });
    } catch (error) {
      caught = error;
    }
    expect(isShipgateError(caught) && caught.exitCode).toBe(2);
    expect(String((caught as Error).message)).toBe(
      "environments.production.analysis.provider.selector names {{ target.deployment }}, which this environment does not define",
    );
    expect(isShipgateError(caught) && caught.diagnostics[0]?.hint).toContain("{{ target.port }}");
    expect(() =>
      checkPlaceholders({
        templates: { selector: 'a="{{ release }}", {{ selector }}' },
        known: [],
        where: "analysis.provider",
      }),
    ).toThrow("analysis.provider.selector names {{ selector }}, which this environment does not define");
  });
});
