import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "missing-timeout";

const job = (id: string, steps: string, extra = "") => `on: push
jobs:
  ${id}:
    runs-on: ubuntu-latest
${extra}    steps:
${steps}`;

const severities = (text: string) => findingsOf(ID, text).map((f) => f.severity);

describe(ID, () => {
  test("a warning for jobs that deploy or whose names say they change something; a note otherwise", () => {
    expect(severities(job("build", "      - run: make\n"))).toEqual(["note"]);
    expect(severities(job("deploy", "      - run: ./scripts/release.sh\n"))).toEqual(["warning"]);
    expect(severities(job("plan-and-apply", "      - run: ./tf.sh\n"))).toEqual(["warning"]);
    expect(severities(job("update-lambda", "      - run: ./push.sh\n"))).toEqual(["warning"]);
  });

  test("names that plan, check or record a deploy are not deploys by name", () => {
    for (const id of [
      "plan-deploys",
      "check-deploy",
      "deploy-marker",
      "update-deployed-tag",
      "notify-deploy",
    ]) {
      expect(severities(job(id, "      - run: node scripts/plan.js\n")), id).toEqual(["note"]);
    }
  });

  test("jobs that cannot hang: deployment records, markers, single requests, deploy-pages", () => {
    for (const steps of [
      "      - uses: newrelic/deployment-marker-action@v2\n        with:\n          apiKey: x\n",
      "      - uses: fjogeleit/http-request-action@v1\n        with:\n          url: https://example.com/hook\n",
      "      - uses: chrnorm/deployment-action@v2\n        with:\n          environment: production\n",
      "      - uses: actions/deploy-pages@v4\n",
    ]) {
      expect(findingsOf(ID, job("deploy", steps, "    environment: production\n")), steps).toEqual([]);
    }
  });
});
