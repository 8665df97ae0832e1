import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { PROMETHEUS_DEFAULT_QUERIES } from "../../src/config/schema.js";
import { createMetricProvider, templateVariables } from "../../src/deliver/analysis/providers/index.js";
import { createPrometheusProvider } from "../../src/deliver/analysis/providers/prometheus/index.js";
import { badInput } from "../helpers/refused.js";
import { MINIMAL } from "./minimal-config.js";

const FILE = "shipgate.yml";

/** MINIMAL with `provider` (YAML lines at six spaces) under staging's analysis. */
const withProvider = (provider: string) => `${MINIMAL}    analysis:\n      provider:\n${provider}`;

/** The 1-based column of `needle` on line `line` of `text`: where a diagnostic must point. */
function columnOf(text: string, line: number, needle: string): number {
  const column = text.split("\n")[line - 1]!.indexOf(needle);
  if (column === -1) throw new Error(`${needle} is not on line ${line}`);
  return column + 1;
}

function refused(text: string) {
  try {
    parseConfig({ text, file: FILE });
  } catch (error) {
    return badInput(error);
  }
  throw new Error("expected the config to be rejected");
}

describe("environments.<env>.analysis.provider: prometheus", () => {
  test("defaults: the common metric names, the release label the local target publishes, 5 s, 1 s", () => {
    const config = parseConfig({
      text: withProvider("        type: prometheus\n        url: http://prometheus.monitoring:9090\n"),
      file: FILE,
    });
    expect(config.environments.staging!.analysis.provider).toEqual({
      type: "prometheus",
      url: "http://prometheus.monitoring:9090",
      selector: 'shipgate_release="{{ release }}"',
      queries: { ...PROMETHEUS_DEFAULT_QUERIES },
      latencyUnit: "seconds",
      timeout: "5s",
      interval: "1s",
    });
    // Unset, the analysis reads the target's own counters.
    expect(
      parseConfig({ text: MINIMAL, file: FILE }).environments.staging!.analysis.provider,
    ).toBeUndefined();
  });

  test("credentials in the URL are refused: they belong in environment variables", () => {
    const [diagnostic] = refused(
      withProvider("        type: prometheus\n        url: https://reader:s3cret@prom.example.com\n"),
    );
    expect(diagnostic!.message).toMatch(/holds credentials/);
    expect(diagnostic!.location).toMatchObject({ line: 12 });
  });

  test("a selector that never names the release would compare a release with itself", () => {
    const [diagnostic] = refused(
      withProvider('        type: prometheus\n        url: http://p:9090\n        selector: job="shop"\n'),
    );
    expect(diagnostic!.message).toMatch(
      /selector does not name \{\{ release \}\}: the queries that use it would select the same series/,
    );
    expect(diagnostic!.location).toMatchObject({ line: 13 });
    const [query] = refused(
      withProvider(
        "        type: prometheus\n        url: http://p:9090\n        queries: { requests: 'http_requests_total{job=\"shop\"}' }\n",
      ),
    );
    expect(query!.message).toMatch(
      /queries.requests selects the same series for every release: it must name/,
    );
  });

  test("an unknown placeholder is named where it is written", () => {
    const [diagnostic] = refused(
      withProvider(
        '        type: prometheus\n        url: http://p:9090\n        selector: release="{{ release }}", pod=~"{{ pod }}"\n',
      ),
    );
    expect(diagnostic!.message).toMatch(/\{\{ pod \}\} is not a placeholder/);
    expect(diagnostic!.location).toMatchObject({ line: 13 });
  });

  test("a secret is named, never written: auth takes variable names", () => {
    const [diagnostic] = refused(
      withProvider(
        "        type: prometheus\n        url: http://p:9090\n        auth: { bearerTokenEnv: 'eyJhbGciOi.x.y' }\n",
      ),
    );
    expect(diagnostic!.message).toMatch(/the NAME of an environment variable/);
  });

  test("{{ target.<field> }} is each plain field of the environment's target, defaults included", () => {
    const config = parseConfig({
      text: withProvider(
        '        type: prometheus\n        url: http://p:9090\n        selector: shipgate_release="{{ release }}", port="{{ target.port }}", n="{{ target.instances }}"\n',
      ),
      file: FILE,
    });
    const staging = config.environments.staging!;
    const context = { env: "staging", app: config.app.name, target: staging.target };
    expect(templateVariables(context)).toMatchObject({
      env: "staging",
      app: "orders-api",
      "target.port": "8080",
      "target.instances": "2",
    });
    const provider = createPrometheusProvider({
      config: staging.analysis.provider!,
      variables: templateVariables(context),
    });
    expect(provider.queriesFor("r1").requests).toBe(
      'http_requests_total{ shipgate_release="r1", port="8080", n="2" }',
    );
  });

  test("a target field the target does not have is refused at the placeholder, when shipgate.yml is read", () => {
    const text = withProvider(
      '        type: prometheus\n        url: http://p:9090\n        selector: shipgate_release="{{ release }}", ns="{{ target.namespace }}"\n',
    );
    const [diagnostic] = refused(text);
    expect(diagnostic!.message).toBe(
      "environments.staging.analysis.provider.selector names {{ target.namespace }}, but a local target has no namespace",
    );
    expect(diagnostic!.hint).toMatch(/\{\{ target\.port \}\}/);
    expect(diagnostic!.location).toEqual({
      file: FILE,
      line: 13,
      column: columnOf(text, 13, "{{ target.namespace }}"),
    });
  });

  test("a field the target type has but this target does not set is refused, with the field to set", () => {
    const text = `app:
  name: orders-api
  language: node
environments:
  production:
    target: { type: kubernetes, deployment: orders, container: app }
    analysis:
      provider:
        type: prometheus
        url: http://p:9090
        queries:
          requests: 'http_requests_total{ {{ selector }}, cluster="{{ target.cluster }}" }'
`;
    const [diagnostic] = refused(text);
    expect(diagnostic!.message).toBe(
      "environments.production.analysis.provider.queries.requests names {{ target.cluster }}, which environments.production.target does not set",
    );
    expect(diagnostic!.hint).toMatch(
      /^set cluster in environments\.production\.target, or use one of .*\{\{ target\.namespace \}\}/,
    );
    expect(diagnostic!.location).toEqual({
      file: FILE,
      line: 12,
      column: columnOf(text, 12, "{{ target.cluster }}"),
    });
    // Its namespace has a default, so it is always there.
    expect(() =>
      parseConfig({ text: text.replace("{{ target.cluster }}", "{{ target.namespace }}"), file: FILE }),
    ).not.toThrow();
  });

  test("the selector cannot name {{ selector }}: it is what {{ selector }} stands for", () => {
    const text = withProvider(
      "        type: prometheus\n        url: http://p:9090\n        selector: 'shipgate_release=\"{{ release }}\", {{ selector }}'\n",
    );
    const [diagnostic] = refused(text);
    expect(diagnostic!.message).toBe(
      "environments.staging.analysis.provider.selector names {{ selector }}, which stands for the selector itself",
    );
    expect(diagnostic!.location).toEqual({
      file: FILE,
      line: 13,
      column: columnOf(text, 13, "{{ selector }}"),
    });
  });

  test("a mistyped placeholder is refused where it is written, not sent to Prometheus as is", () => {
    const text = withProvider(
      '        type: prometheus\n        url: http://p:9090\n        selector: shipgate_release="{{ release }"\n',
    );
    const open = refused(text).find((d) => d.message.includes("not part of a placeholder"));
    expect(open!.message).toBe(
      'environments.staging.analysis.provider.selector has "{{" that is not part of a placeholder',
    );
    expect(open!.hint).toMatch(/write a placeholder as \{\{ name \}\}/);
    expect(open!.location).toEqual({ file: FILE, line: 13, column: columnOf(text, 13, "{{") });
    const close = refused(
      withProvider(
        "        type: prometheus\n        url: http://p:9090\n        queries:\n          latency: 'http_request_duration_seconds_bucket{ { selector }} }'\n",
      ),
    ).find((d) => d.message.includes("not part of a placeholder"));
    expect(close!.message).toBe(
      'environments.staging.analysis.provider.queries.latency has "}}" that is not part of a placeholder',
    );
    expect(close!.location).toMatchObject({ line: 14 });
    // PromQL's own single braces around a placeholder are not stray.
    expect(() =>
      parseConfig({
        text: withProvider(
          "        type: prometheus\n        url: http://p:9090\n        queries: { requests: 'http_requests_total{{{ selector }}}' }\n",
        ),
        file: FILE,
      }),
    ).not.toThrow();
  });

  test("a placeholder without a value is still refused when the provider is made for a target given in code", () => {
    const config = parseConfig({
      text: withProvider(
        '        type: prometheus\n        url: http://p:9090\n        selector: shipgate_release="{{ release }}", ns="{{ target.namespace }}"\n',
      ).replace(
        "      type: local\n      port: 8080\n",
        "      type: kubernetes\n      deployment: orders\n      container: app\n",
      ),
      file: FILE,
    });
    const staging = config.environments.staging!;
    const context = {
      env: "staging",
      app: config.app.name,
      target: {
        type: "local" as const,
        port: 8080,
        instances: 2,
        runner: "self-hosted",
        releaseHeader: false,
      },
    };
    let caught: unknown;
    try {
      createMetricProvider(staging.analysis.provider!, context);
    } catch (error) {
      caught = error;
    }
    const [diagnostic] = badInput(caught);
    expect(diagnostic!.message).toBe(
      "environments.staging.analysis.provider.selector names {{ target.namespace }}, which this environment does not define",
    );
  });
});
