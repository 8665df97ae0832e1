import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "kubectl-no-rollout-status";

const script = (...lines: string[]) => `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: |
${lines.map((l) => `          ${l}\n`).join("")}`;

const reported = (...lines: string[]) => findingsOf(ID, script(...lines)).map((f) => f.region.startLine);

describe(ID, () => {
  test("each rollout command is reported at its own text", () => {
    const findings = findingsOf(
      ID,
      script("kubectl --context=prod -n web apply -k overlays/prod", "echo done"),
    );
    expect(findings.map((f) => f.region)).toEqual([
      { startLine: 7, startColumn: 11, endLine: 7, endColumn: 46 },
    ]);
    expect(findings[0]!.message).toMatch(/kubectl rollout status/);
  });

  test("a commented-out rollout status does not count", () => {
    expect(
      reported("kubectl set image deployment/web web=img:2", "# kubectl rollout status deployment/web"),
    ).toEqual([7]);
  });

  test("a generated manifest piped into apply is reported at the apply, the dry run is not", () => {
    const findings = findingsOf(
      ID,
      script("kubectl create deployment web --image=img:2 --dry-run=client -o yaml | kubectl apply -f -"),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.region.startColumn).toBe(82);
  });

  test("helm: install and upgrade need --wait, --atomic or --rollback-on-failure", () => {
    expect(reported("helm install web ./chart")).toEqual([7]);
    expect(reported("helm upgrade web ./chart --wait=false")).toEqual([7]);
    expect(findingsOf(ID, script("helm upgrade web ./chart --wait=false"))[0]!.message).toMatch(/--wait/);
    expect(reported("helm upgrade --install web ./chart --rollback-on-failure")).toEqual([]);
    expect(reported("helm upgrade --install web ./chart", "kubectl rollout status deployment/web")).toEqual(
      [],
    );
    expect(reported("helm repo update && helm dependency update ./chart")).toEqual([]);
  });

  test("apply of manifests named for kinds without pods is not a rollout", () => {
    expect(reported("kubectl apply -f k8s/namespace.yaml --filename=k8s/web-configmap.yml")).toEqual([]);
    expect(reported("kubectl apply -f k8s/namespace.yaml -f k8s/deployment.yaml")).toEqual([7]);
    expect(reported('kubectl apply -f "k8s/services.yaml"')).toEqual([]);
  });

  test("a CronJob's new image has no rollout to wait on", () => {
    expect(reported("kubectl set image -n prod CronJob/$name job=app:$SHA")).toEqual([]);
    expect(reported("kubectl set image cronjob.batch/nightly job=app:$SHA")).toEqual([]);
    expect(reported("kubectl set image deployment/web web=app:$SHA")).toEqual([7]);
  });

  test("kubectl wait counts; a wait in a failure-only step does not", () => {
    expect(
      reported(
        "kubectl rollout restart deployment/web",
        "kubectl wait --for=condition=Available deployment/web",
      ),
    ).toEqual([]);
    const text = `${script("kubectl rollout restart deployment/web")}      - if: \${{ failure() }}
        run: kubectl rollout status deployment/web
`;
    expect(findingsOf(ID, text)).toHaveLength(1);
  });
});
