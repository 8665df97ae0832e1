import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "tls-verification-disabled";

const run = (script: string) =>
  `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${script}\n`;

describe(ID, () => {
  test("the variables set on a command line, with the values that turn the check off", () => {
    expect(findingsOf(ID, run("NODE_TLS_REJECT_UNAUTHORIZED=0 node deploy.js"))).toHaveLength(1);
    expect(
      findingsOf(ID, run("GIT_SSL_NO_VERIFY=true git clone https://git.example.org/x.git")),
    ).toHaveLength(1);
    expect(findingsOf(ID, run("NODE_TLS_REJECT_UNAUTHORIZED=1 node deploy.js"))).toEqual([]);
    expect(findingsOf(ID, run("PYTHONHTTPSVERIFY=1 python deploy.py"))).toEqual([]);
  });

  test("curl's -k among short options, not in a header or a path", () => {
    expect(findingsOf(ID, run("curl -fsSk https://api.example.org/health"))).toHaveLength(1);
    expect(
      findingsOf(ID, run('curl -fsS -H "X-Api-Key: $KEY" https://api.example.org/ -o k8s.yaml')),
    ).toEqual([]);
  });
});
