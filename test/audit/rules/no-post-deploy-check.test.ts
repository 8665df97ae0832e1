import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "no-post-deploy-check";

const job = (steps: string, more = "") => `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
${steps}${more}`;

const lines = (text: string) => findingsOf(ID, text).map((f) => f.region.startLine);

describe(ID, () => {
  test("reported at the last deploy step, not at a rollback that only runs on failure", () => {
    const text = job(`      - run: flyctl deploy --app a
      - run: flyctl deploy --app b
      - if: failure()
        run: flyctl deploy --app b --image "$PREVIOUS"
`);
    expect(lines(text)).toEqual([8]);
    // In a script, at the line that deploys last.
    const script = job(`      - run: |
          docker push "$IMAGE"
          aws ecs update-service --cluster c --service web --force-new-deployment
          echo "done"
`);
    expect(findingsOf(ID, script).map((f) => [f.region.startLine, f.region.startColumn])).toEqual([[9, 11]]);
  });

  test("checks that count", () => {
    for (const check of [
      "curl -fsS https://example.com/health",
      "wget -q --spider https://example.com/",
      "http --check-status GET https://example.com/health",
      "npx shipgate verify https://example.com",
      "npm run test:smoke",
      "./scripts/healthcheck.sh",
      "npx playwright test",
      "k6 run smoke.js",
    ]) {
      expect(lines(job(`      - run: flyctl deploy\n      - run: ${check}\n`)), check).toEqual([]);
    }
    expect(lines(job("      - run: flyctl deploy\n      - uses: ./.github/actions/smoke-test\n"))).toEqual(
      [],
    );
    expect(lines(job("      - run: flyctl deploy && curl -fsS https://example.com/health\n"))).toEqual([]);
  });

  test("what does not count: notifications, installers, waits, checks before the deploy or on failure only", () => {
    for (const step of [
      `curl -X POST -d '{"text":"deployed"}' "$SLACK_WEBHOOK_URL"`,
      'curl -s -X POST "https://api.cloudflare.com/client/v4/zones/$ZONE/purge_cache" --data "$PAYLOAD"',
      "curl -fsSL https://get.example.com/install.sh | sh",
      "kubectl rollout status deployment/web",
      "aws ecs wait services-stable --cluster c --services s",
    ]) {
      expect(lines(job(`      - run: flyctl deploy\n      - run: ${step}\n`)), step).toEqual([7]);
    }
    expect(
      lines(job("      - run: curl -fsS https://example.com/health\n      - run: flyctl deploy\n")),
    ).toEqual([8]);
    expect(
      lines(job("      - run: flyctl deploy\n      - if: failure()\n        run: ./smoke.sh\n")),
    ).toEqual([7]);
  });

  test("a wait for a stable rollout alone is a note, not a warning", () => {
    for (const [wait, line] of [
      ["kubectl rollout status deployment/web", 7],
      ["aws ecs wait services-stable --cluster c --services s", 7],
      ["kubectl wait --for=condition=complete job/migrate-42 --timeout=400s", 7],
      ["kubectl -n web wait deployment/web --for condition=available", 7],
      ["helm upgrade web ./chart --wait", 8], // itself the last deploy step
    ] as const) {
      const found = findingsOf(ID, job(`      - run: kubectl apply -f k8s/\n      - run: ${wait}\n`));
      expect(
        found.map((f) => [f.region.startLine, f.severity]),
        wait,
      ).toEqual([[line, "note"]]);
    }
    expect(findingsOf(ID, job("      - run: kubectl apply -f k8s/\n")).map((f) => f.severity)).toEqual([
      "warning",
    ]);
  });

  test("deploys that move traffic only to healthy instances are a note", () => {
    for (const deploy of [
      "      - run: kamal deploy\n",
      "      - run: flyctl deploy --remote-only --wait-timeout 300\n",
      '      - run: gcloud run deploy api --image "$IMAGE" --region europe-west1\n',
      "      - run: gcloud functions deploy fn --gen2 --runtime nodejs20\n",
      "      - run: cf push app --strategy rolling\n",
      "      - uses: google-github-actions/deploy-cloudrun@v2\n        with:\n          service: api\n",
      // cloud.gov's CLI action runs `cf <cf_command>`.
      "      - uses: cloud-gov/cg-cli-tools@main\n        with:\n          cf_command: >-\n            push -f manifest.yml\n            --strategy rolling\n",
      // Elastic Beanstalk's deploy action waits for the environment to be healthy.
      "      - uses: einaregilsson/beanstalk-deploy@v22\n        with:\n          application_name: app\n",
      // Dokku runs its zero-downtime checks before it switches traffic.
      '      - run: ssh "dokku@$HOST" git:from-image web "$IMAGE_DIGEST"\n',
    ]) {
      expect(
        findingsOf(ID, job(deploy)).map((f) => f.severity),
        deploy,
      ).toEqual(["note"]);
    }
    // Fly's immediate strategy replaces every machine at once, with no health gate.
    expect(
      findingsOf(ID, job("      - run: flyctl deploy --strategy immediate\n")).map((f) => f.severity),
    ).toEqual(["warning"]);
    expect(findingsOf(ID, job("      - run: cf push app\n")).map((f) => f.severity)).toEqual(["warning"]);
    const noWait =
      "      - uses: einaregilsson/beanstalk-deploy@v22\n        with:\n          wait_for_deployment: false\n";
    expect(findingsOf(ID, job(noWait)).map((f) => f.severity)).toEqual(["warning"]);
    // A live check after the deploy counts.
    expect(lines(job("      - run: ssh host 'docker compose up -d'\n      - run: make livecheck\n"))).toEqual(
      [],
    );
  });

  test("remote scripts over SSH: a check there counts, a clean-up is not a deploy", () => {
    const ssh = (script: string, name = "Run on the server") =>
      `      - name: ${name}\n        uses: appleboy/ssh-action@v1\n        with:\n          host: web\n          script: |\n${script
        .split("\n")
        .map((l) => `            ${l}`)
        .join("\n")}\n`;
    const deploy = ssh("cd app\ngit pull\ndocker compose up -d", "Deploy");
    expect(lines(job(deploy))).toEqual([8]); // at the action
    expect(lines(job(deploy + ssh("cd app\nsleep 15s\nmake livecheck")))).toEqual([]);
    expect(lines(job(deploy + ssh("curl -fsS http://localhost:8000/health")))).toEqual([]);
    // A clean-up after the check is not the last deploy.
    expect(lines(job(deploy + ssh("make livecheck") + ssh("docker system prune -af", "Clean up")))).toEqual(
      [],
    );
  });

  test("a warning for production services; a note for other stages and static sites", () => {
    const at = (environment: string, run: string) =>
      findingsOf(
        ID,
        job(`      - run: ${run}\n`).replace("environment: production", `environment: ${environment}`),
      ).map((f) => f.severity);
    expect(at("production", "kubectl apply -f k8s/")).toEqual(["warning"]);
    expect(at("staging", "kubectl apply -f k8s/")).toEqual(["note"]);
    expect(at("production", "aws s3 sync ./site s3://www.example.com --delete")).toEqual(["note"]);
    expect(at("production", "npx -y netlify-cli@17.10.1 deploy --prod --dir site")).toEqual(["note"]);
  });

  test("a smoke-test job after the deploy job counts, through other jobs too", () => {
    const more = `  notify:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: echo done
  smoke:
    needs: notify
    uses: ./.github/workflows/smoke-tests.yml
`;
    expect(lines(job("      - run: flyctl deploy\n", more))).toEqual([]);
  });

  test("a check job whose condition leaves production out does not check the production deploy", () => {
    const smoke = (condition: string) => `  e2e:
    needs: deploy
    if: ${condition}
    runs-on: ubuntu-latest
    steps:
      - run: npx playwright test
`;
    expect(
      lines(
        job("      - run: flyctl deploy --strategy immediate\n", smoke("github.ref_name != 'production'")),
      ),
    ).toEqual([7]);
    expect(
      lines(job("      - run: flyctl deploy --strategy immediate\n", smoke("github.event_name == 'push'"))),
    ).toEqual([]);
  });

  test("a later deploy job only counts when it checks before deploying", () => {
    const productionJob = (steps: string) => `  production:
    needs: deploy
    runs-on: ubuntu-latest
    environment: live
    steps:
${steps}`;
    const checkedAfterOwnDeploy = productionJob(
      "      - run: flyctl deploy --app live\n      - run: ./smoke.sh live\n",
    );
    expect(lines(job("      - run: flyctl deploy --app staging\n", checkedAfterOwnDeploy))).toEqual([7]);
    const checkedFirst = productionJob(
      "      - run: ./smoke.sh staging\n      - run: flyctl deploy --app live\n      - run: ./smoke.sh live\n",
    );
    expect(lines(job("      - run: flyctl deploy --app staging\n", checkedFirst))).toEqual([]);
  });

  test("jobs deploying through their own script, infrastructure only, or with shipgate's engine", () => {
    expect(
      lines(job('      - run: make deploy\n      - run: echo deployed >> "$GITHUB_STEP_SUMMARY"\n')),
    ).toEqual([7]);
    expect(lines(job("      - run: ./scripts/publish.sh\n"))).toEqual([]);
    expect(lines(job("      - run: terraform apply -auto-approve\n"))).toEqual([]);
    // Scheduled jobs' new image serves nothing until they run.
    expect(lines(job("      - run: kubectl set image -n prod CronJob/nightly job=app:$SHA\n"))).toEqual([]);
    expect(
      lines(job("      - run: terraform apply -auto-approve\n      - run: kubectl apply -f k8s/\n")),
    ).toEqual([8]);
    expect(
      lines(job('      - run: npx --yes shipgate@0.1.0 deploy production --artifact "$ARTIFACT"\n')),
    ).toEqual([]);
  });
});
