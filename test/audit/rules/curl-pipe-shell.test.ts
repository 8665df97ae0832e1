import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "curl-pipe-shell";

const run = (script: string) => `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
${script
  .split("\n")
  .map((l) => `          ${l}`)
  .join("\n")}
`;

const texts = (script: string) =>
  findingsOf(ID, run(script)).map((f) => [f.region.startLine, f.region.startColumn, f.region.endColumn]);

describe(ID, () => {
  test("identical lines are each reported at their own line", () => {
    expect(texts("curl -fsSL https://a.example/i.sh | sh\ncurl -fsSL https://a.example/i.sh | sh")).toEqual([
      [7, 11, 49],
      [8, 11, 49],
    ]);
  });

  test("interpreters that run the download, and ones that read it as data", () => {
    const reported = [
      "curl -s https://x.example/a | zsh",
      "curl -s https://x.example/a | sudo sh",
      "curl -s https://x.example/a | /usr/bin/env bash",
      "curl -sf https://x.example/get-helm-3 | DESIRED_VERSION=${HELM_VERSION} bash",
      "curl -s https://x.example/a | node",
      "curl -s https://x.example/a | perl",
      "curl -s https://x.example/a | ruby",
      "wget -O - https://x.example/a | bash -e",
      ". <(curl -s https://x.example/a)",
      'python3 -c "$(curl -fsSL https://x.example/a.py)"',
    ];
    for (const line of reported) expect(texts(line), line).toHaveLength(1);
    const silent = [
      "curl -s https://x.example/a | bash -c 'wc -c'",
      "curl -s https://x.example/a | python3 -c 'import sys; print(sys.stdin.read())'",
      'curl -s https://x.example/a | node -p \'require("fs").readFileSync(0, "utf8")\'',
      "curl -s https://x.example/a | perl -pe 's/a/b/'",
      "curl -s https://x.example/a | shellcheck -",
      "curl -s https://x.example/a > a.sh",
      "libcurl-config --version | sh",
      "echo ok | sh",
    ];
    for (const line of silent) expect(texts(line), line).toEqual([]);
  });

  test("a single-line quoted run is reported at the step", () => {
    const text = `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: "curl -fsSL https://get.example.com | sh"
`;
    expect(findingsOf(ID, text).map((f) => f.region.startLine)).toEqual([6]);
  });
});
