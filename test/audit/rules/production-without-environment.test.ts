import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "production-without-environment";

const job = (name: string, id: string, extra: string, run: string) => `name: ${name}
on: push
jobs:
  ${id}:
    runs-on: ubuntu-latest
${extra}    steps:
      - run: ${run}
`;

describe(ID, () => {
  test("production found through the job id, the workflow name or the command", () => {
    expect(findingsOf(ID, job("Deploy", "deploy-prod", "", "./deploy.sh && flyctl deploy"))).toHaveLength(1);
    expect(findingsOf(ID, job("Production", "deploy", "", "flyctl deploy"))).toHaveLength(1);
    expect(findingsOf(ID, job("Deploy", "deploy", "", "flyctl deploy --app web-production"))).toHaveLength(1);
    expect(findingsOf(ID, job("Deploy", "go_live", "", "flyctl deploy"))[0]!.region.startLine).toBe(4);
  });

  test("a job that names another stage is not production, even in a production workflow", () => {
    for (const id of ["deploy-staging", "deploy_dev", "preview", "qa"]) {
      expect(findingsOf(ID, job("Production deploy", id, "", "flyctl deploy")), id).toEqual([]);
    }
    // ...unless it names production too.
    expect(findingsOf(ID, job("Deploy", "staging-then-prod", "", "flyctl deploy"))).toHaveLength(1);
  });

  test("any environment: key, a deploy nothing runs, or a reusable call is not reported", () => {
    expect(
      findingsOf(ID, job("Production", "deploy", "    environment: production\n", "flyctl deploy")),
    ).toEqual([]);
    expect(
      findingsOf(
        ID,
        job("Production", "deploy", "    environment:\n      url: https://x.example\n", "flyctl deploy"),
      ),
    ).toEqual([]);
    expect(
      findingsOf(ID, job("Production", "deploy", "    environment: ${{ inputs.env }}\n", "flyctl deploy")),
    ).toEqual([]);
    expect(findingsOf(ID, job("Production", "build", "", "docker build -t web ."))).toEqual([]);
    const call = "name: Production\non: push\njobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n";
    expect(findingsOf(ID, call)).toEqual([]);
  });

  test("a job whose words only contain prod (product, liveness) is not production", () => {
    expect(findingsOf(ID, job("Deploy", "products-api", "", "kubectl apply -f k8s/liveness.yaml"))).toEqual(
      [],
    );
  });
});

describe(`${ID}: an input picks the environment`, () => {
  const reusable = (input: string, environment = "") => `on:
  workflow_call:
    inputs:
      environment:
${input}
jobs:
  deploy:
    runs-on: ubuntu-latest
${environment}    steps:
      - run: make release-deploy ENVIRONMENT=\${{ inputs.environment }}
`;

  test("free text, or options with production among them: reported, naming the input", () => {
    const [finding] = findingsOf(ID, reusable("        type: string\n        required: true"));
    expect(finding!.message).toMatch(
      /^job "deploy" deploys wherever inputs\.environment says, production included/,
    );
    const dispatch = `on:
  workflow_dispatch:
    inputs:
      target_env:
        type: choice
        options: [staging, prod]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy.sh \${{ inputs.target_env }}
`;
    expect(findingsOf(ID, dispatch)).toHaveLength(1);
  });

  test("options without production, or an environment: that takes the input, are not", () => {
    const dispatch = `on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [dev, staging]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy.sh \${{ inputs.environment }}
`;
    expect(findingsOf(ID, dispatch)).toEqual([]);
    expect(
      findingsOf(ID, reusable("        type: string", "    environment: ${{ inputs.environment }}\n")),
    ).toEqual([]);
  });

  test("a reusable deploy workflow whose environment input can be prod: its deploy jobs go there too", () => {
    const workflow = (description: string) => `on:
  workflow_call:
    inputs:
      deploy-env:
        description: '${description}'
        required: true
        type: string
      app-name:
        type: string
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: azure/webapps-deploy@v3
        with:
          app-name: \${{ inputs.app-name }}
`;
    const found = findingsOf(ID, workflow("environment to deploy (dev | prod)"));
    expect(found.map((f) => f.region.startLine)).toEqual([11]);
    expect(found[0]!.message).toContain("inputs.deploy-env");
    // Nothing says production is among the picks.
    expect(findingsOf(ID, workflow("the app's environment"))).toEqual([]);
  });
});
