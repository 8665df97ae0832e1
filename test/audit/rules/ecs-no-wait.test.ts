import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "ecs-no-wait";

const steps = (body: string) => `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
${body}`;

describe(ID, () => {
  test("each command is reported at its own line, identical lines included", () => {
    const text = steps(`      - run: |
          aws ecs update-service --cluster c --service a --force-new-deployment
          aws ecs update-service --cluster c --service a --force-new-deployment
      - run: aws ecs update-service --cluster c --service a --force-new-deployment
`);
    const findings = findingsOf(ID, text);
    expect(findings.map((f) => [f.region.startLine, f.region.startColumn, f.region.endColumn])).toEqual([
      [7, 11, 33],
      [8, 11, 33],
      [9, 14, 36],
    ]);
  });

  test("a wait before the update, or only in a failure step, does not count", () => {
    const text = steps(`      - run: aws ecs wait services-stable --cluster c --services a
      - run: aws ecs update-service --cluster c --service a --task-definition a:2
      - if: failure()
        run: aws ecs wait services-stable --cluster c --services a
`);
    expect(findingsOf(ID, text).map((f) => f.region.startLine)).toEqual([7]);
  });

  test("a wait on the same line, in a later step that always runs, or a waiter with options counts", () => {
    const text =
      steps(`      - run: aws ecs update-service --cluster c --service a --task-definition a:2; aws ecs wait services-stable --cluster c --services a
      - run: aws ecs create-service --cli-input-json file://b.json
      - if: always()
        run: aws --region eu-west-1 ecs wait services-stable --cluster c --services b
`);
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("a folded script is still reported, at the command when it is on one line of the file", () => {
    const text = steps(`      - run: >
          aws ecs update-service --cluster c --service a
          --force-new-deployment
`);
    expect(findingsOf(ID, text).map((f) => f.region.startLine)).toEqual([7]);
  });

  test("the deploy action: missing or false wait reported, true, 'True' or an expression not", () => {
    const action = (input: string) =>
      steps(`      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
        with:
          task-definition: td.json
${input}`);
    expect(findingsOf(ID, action(""))).toHaveLength(1);
    expect(findingsOf(ID, action("          wait-for-service-stability: false\n"))).toHaveLength(1);
    for (const value of ["true", "'True'", "${{ vars.WAIT }}"]) {
      expect(findingsOf(ID, action(`          wait-for-service-stability: ${value}\n`)), value).toEqual([]);
    }
  });
});
