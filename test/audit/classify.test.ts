import { describe, expect, test } from "vitest";
import {
  isDeployJob,
  isDeployWorkflow,
  isProductionJob,
  isPullRequestCi,
  jobScriptLines,
  runsOnlyOnFailure,
  scriptOffset,
} from "../../src/audit/classify.js";
import { SourceFile } from "../../src/audit/model/source.js";
import { readWorkflow, type Workflow } from "../../src/audit/model/workflow.js";

function workflow(text: string): Workflow {
  return readWorkflow(new SourceFile(".github/workflows/w.yml", text))!;
}

/** One job `j` with the given lines after `runs-on`, in a workflow with the given name. */
function job(body: string, name = "Deploy") {
  const w = workflow(`name: ${name}\non: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n${body}`);
  return { w, j: w.jobs[0]! };
}

const run = (script: string) => `    steps:\n      - run: ${script}\n`;

describe("isDeployJob", () => {
  test("an environment makes a deploy job, unless it is a CI-ish one", () => {
    expect(isDeployJob(job("    environment: staging\n    steps: []\n").j)).toBe(true);
    expect(isDeployJob(job("    environment:\n      name: production\n    steps: []\n").j)).toBe(true);
    for (const env of ["ci", "test", "github-pages", "pypi", "npm", "release", "Release"]) {
      expect(isDeployJob(job(`    environment: ${env}\n    steps: []\n`).j), env).toBe(false);
    }
  });

  test("deploy commands and actions make a deploy job", () => {
    for (const script of [
      "aws ecs update-service --cluster c --service s --force-new-deployment",
      "kubectl apply -f k8s/",
      "kubectl set image deployment/web web=img:2",
      "helm upgrade --install web ./chart",
      "terraform apply -auto-approve",
      "gcloud run deploy web --image img",
      "flyctl deploy",
      "npx cdk deploy --all",
    ]) {
      expect(isDeployJob(job(run(script)).j), script).toBe(true);
    }
    const action = job("    steps:\n      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2\n").j;
    expect(isDeployJob(action)).toBe(true);
  });

  test("building, testing, reading the cluster and planning are not deploying", () => {
    for (const script of [
      "docker build -t web .",
      "npm test",
      "kubectl get pods",
      "kubectl rollout status deployment/web",
      "terraform plan",
      "helm template web ./chart",
    ]) {
      expect(isDeployJob(job(run(script)).j), script).toBe(false);
    }
  });

  test("options between the tool and its subcommand still make a deploy command", () => {
    expect(isDeployJob(job(run("kubectl -n web apply -f k8s/")).j)).toBe(true);
    expect(isDeployJob(job(run("kubectl apply -n web -f k8s/")).j)).toBe(true);
    expect(isDeployJob(job(run("aws --region eu-west-1 ecs update-service --cluster c --service s")).j)).toBe(
      true,
    );
    expect(isDeployJob(job(run("vercel deploy --prebuilt --prod")).j)).toBe(true);
    expect(isDeployJob(job(run("kubectl get pods -o name | xargs -n1 echo apply")).j)).toBe(false);
  });
});

describe("isProductionJob", () => {
  test("the environment decides when there is one", () => {
    expect(isProductionJob(job("    environment: production\n    steps: []\n").j, job("").w)).toBe(true);
    expect(isProductionJob(job("    environment: prod-eu\n    steps: []\n").j, job("").w)).toBe(true);
    const { w, j } = job(
      `    environment: staging\n${run("flyctl deploy --app web-production")}`,
      "Production",
    );
    expect(isProductionJob(j, w)).toBe(false);
  });

  test("without one: job id, name, workflow name or commands, as whole words", () => {
    expect(isProductionJob(job(run("flyctl deploy")).j, job("", "Deploy to production").w)).toBe(true);
    const named = job(`    name: Ship to live\n${run("flyctl deploy")}`);
    expect(isProductionJob(named.j, named.w)).toBe(true);
    const command = job(run("helm upgrade web ./chart --kube-context prod_cluster"));
    expect(isProductionJob(command.j, command.w)).toBe(true);
    const words = job(run("helm upgrade products ./chart --set liveness.enabled=true"));
    expect(isProductionJob(words.j, words.w)).toBe(false);
  });

  test("a job that deploys nothing is never production", () => {
    const { w, j } = job(run("docker build -t web:prod ."), "Production");
    expect(isProductionJob(j, w)).toBe(false);
  });
});

describe("isDeployWorkflow and isPullRequestCi", () => {
  test("pull-request CI runs on pull_request and deploys nothing", () => {
    const ci = workflow(
      "on: [pull_request, push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: npm test\n",
    );
    expect(isPullRequestCi(ci)).toBe(true);
    expect(isDeployWorkflow(ci)).toBe(false);
    const preview = workflow(
      "on: pull_request\njobs:\n  p:\n    runs-on: x\n    environment: preview\n    steps:\n      - run: ./deploy.sh\n",
    );
    expect(isDeployWorkflow(preview)).toBe(true);
    expect(isPullRequestCi(preview)).toBe(false);
    const target = workflow(
      "on: pull_request_target\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: npm test\n",
    );
    expect(isPullRequestCi(target)).toBe(false);
  });
});

describe("runsOnlyOnFailure", () => {
  test("failure() alone, not negated, not combined with always() or success()", () => {
    const step = (cond: string) => job(`    steps:\n      - if: ${cond}\n        run: x\n`).j.steps[0]!;
    expect(runsOnlyOnFailure(step("failure()"))).toBe(true);
    expect(runsOnlyOnFailure(step("${{ failure() && steps.previous.outputs.image != '' }}"))).toBe(true);
    expect(runsOnlyOnFailure(step("${{ !failure() }}"))).toBe(false);
    expect(runsOnlyOnFailure(step("always()"))).toBe(false);
    expect(runsOnlyOnFailure(step("success() || failure()"))).toBe(false);
    expect(runsOnlyOnFailure(job(run("x")).j.steps[0]!)).toBe(false);
  });
});

describe("jobScriptLines", () => {
  test("lines in run order, located at their own line (not a commented copy or an earlier twin)", () => {
    const text = `on: push
jobs:
  j:
    runs-on: x
    steps:
      - run: |
          # kubectl apply -f old/
          kubectl apply -f k8s/
          kubectl apply -f k8s/
      - run: "kubectl apply -f k8s/"
`;
    const parsed = workflow(text);
    const lines = jobScriptLines(parsed.jobs[0]!, text);
    expect(lines.map((l) => l.text)).toEqual([
      "kubectl apply -f k8s/",
      "kubectl apply -f k8s/",
      "kubectl apply -f k8s/",
    ]);
    const source = parsed.source;
    expect(lines.map((l) => source.position(l.start!).line)).toEqual([8, 9, 10]);
    expect(lines.map((l) => source.position(scriptOffset(text, l, "apply")!).column)).toEqual([19, 19, 23]);
  });

  test("continuations are one line; folded scripts have no offset", () => {
    const text =
      "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: |\n          helm upgrade web ./chart \\\n            --wait\n      - run: >\n          echo a\n          echo b\n";
    const lines = jobScriptLines(workflow(text).jobs[0]!, text);
    expect(lines[0]!.text).toMatch(/^helm upgrade web \.\/chart\s+--wait$/);
    expect(lines[0]!.start).toBe(text.indexOf("helm"));
    expect(lines[1]!.start).toBeUndefined();
    expect(scriptOffset(text, lines[1]!, "echo")).toBeUndefined();
  });
});
