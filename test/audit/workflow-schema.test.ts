import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isMap, parseDocument } from "yaml";
import { auditWorkflows } from "../../src/audit/engine.js";
import { checkWorkflowStructure } from "../../src/audit/workflow-schema.js";
import { checkProperty, propertySettings } from "../helpers/property.js";
import { generatedFile } from "../helpers/workflow-arbitrary.js";

// GitHub's own parser of the Actions language is the oracle: every structure the audit
// refuses, GitHub refuses too; and every mutation of a kind the audit models, both refuse.

function githubErrors(text: string): string[] {
  const parsed = parseWorkflow({ name: "w.yml", content: text }, new NoOperationTraceWriter());
  return parsed.context.errors.getErrors().map((e) => e.message);
}

function ours(text: string): string[] {
  const doc = parseDocument(text);
  if (doc.errors.length || !isMap(doc.contents)) return [];
  return checkWorkflowStructure(doc.contents).map((p) => p.message);
}

const JOB = "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";

const REFUSED: Record<string, [text: string, message: RegExp]> = {
  "a permissions block indented under jobs": [
    `on: push\njobs:\n  permissions:\n    contents: read\n  build:\n    runs-on: x\n    steps:\n      - run: make\n`,
    /"permissions" under `jobs:` .* indented too far/,
  ],
  "an unknown scope": [
    `on: push\npermissions:\n  content: read\n${JOB}`,
    /`content` is not a permission scope; did you mean `contents`/,
  ],
  "an unknown level": [
    `on: push\npermissions:\n  contents: admin\n${JOB}`,
    /contents takes read, write, none/,
  ],
  "id-token: read": [`on: push\npermissions:\n  id-token: read\n${JOB}`, /id-token takes write, none/],
  "permissions as a word": [`on: push\npermissions: read\n${JOB}`, /read-all or write-all/],
  "a misspelt event": [`on: pushh\n${JOB}`, /`pushh` is not an event.*did you mean `push`/],
  "a misspelt event in a list": [`on: [push, pull-request]\n${JOB}`, /did you mean `pull_request`/],
  "a misspelt filter": [
    `on:\n  push:\n    branch: [main]\n${JOB}`,
    /`push` event does not take `branch`; did you mean `branches`/,
  ],
  "a schedule key": [`on:\n  schedule:\n    - crons: "0 0 * * *"\n${JOB}`, /takes `cron` only/],
  "a dispatch input type": [
    `on:\n  workflow_dispatch:\n    inputs:\n      x:\n        type: strng\n${JOB}`,
    /type `strng`.*did you mean `string`/,
  ],
  "a choice option that is a list": [
    `on:\n  workflow_dispatch:\n    inputs:\n      region:\n        type: choice\n        options:\n          - [EU, US]\n          - EU\n${JOB}`,
    /options of a choice input are plain strings/,
  ],
  "an unknown top-level key": [
    `on: push\nenvv: {}\n${JOB}`,
    /a workflow does not take `envv`; did you mean `env`/,
  ],
  "no on": [JOB, /needs `on:`/],
  "no jobs": ["on: push\n", /needs `jobs:`/],
  "a job without runs-on": [`on: push\njobs:\n  a:\n    steps:\n      - run: x\n`, /needs `runs-on:`/],
  "an unknown job key": [
    `on: push\njobs:\n  a:\n    runs-on: x\n    step:\n      - run: x\n`,
    /does not take `step`; did you mean `steps`/,
  ],
  "a caller job with runs-on": [
    `on: push\njobs:\n  a:\n    runs-on: x\n    uses: ./.github/workflows/x.yml\n`,
    /calls a reusable workflow, does not take `runs-on`/,
  ],
  "a step with run and uses": [
    `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n        uses: a/b@v1\n`,
    /both `run:` and `uses:`/,
  ],
  "a step with neither": [
    `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - name: x\n`,
    /neither `run:` nor `uses:`/,
  ],
  "an unknown step key": [
    `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n        with2: 1\n`,
    /does not take `with2`/,
  ],
  "inputs given to a script": [
    "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n        with:\n          target: all\n",
    /\(a script\) does not take `with`/,
  ],
  "a shell given to an action": [
    "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: a/b@v1\n        shell: bash\n",
    /\(an action\) does not take `shell`/,
  ],
  "a timeout in words": [
    `on: push\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: ten\n    steps:\n      - run: x\n`,
    /must be a number of minutes/,
  ],
};

const ACCEPTED: Record<string, string> = {
  "every documented scope and expression values": `on: push\npermissions:\n  actions: read\n  attestations: write\n  id-token: write\n  models: read\n  pull-requests: write\n${JOB.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minutes: ${{ inputs.minutes }}")}`,
  "a job with no steps": "on: push\njobs:\n  a:\n    runs-on: x\n",
  "a caller job":
    "on: push\njobs:\n  a:\n    uses: ./.github/workflows/x.yml\n    secrets: inherit\n    with:\n      x: 1\n",
  "events of every form": `on:\n  push:\n    branches: [main]\n    tags: ["v*"]\n  pull_request:\n    types: [opened]\n    paths-ignore: [docs/**]\n  workflow_dispatch:\n    inputs:\n      env:\n        type: environment\n  schedule:\n    - cron: "0 0 * * *"\n  release:\n    types: [published]\n${JOB}`,
  "read-all": `on: [push, pull_request]\npermissions: read-all\n${JOB}`,
};

describe("the workflow structure GitHub requires", () => {
  for (const [name, [text, message]] of Object.entries(REFUSED)) {
    test(`refused, by GitHub's parser too: ${name}`, () => {
      expect(githubErrors(text), "GitHub's parser accepts it").not.toEqual([]);
      const problems = ours(text);
      expect(
        problems.some((p) => message.test(p)),
        problems.join("\n"),
      ).toBe(true);
    });
  }

  for (const [name, text] of Object.entries(ACCEPTED)) {
    test(`accepted, as by GitHub's parser: ${name}`, () => {
      expect(githubErrors(text)).toEqual([]);
      expect(ours(text)).toEqual([]);
    });
  }

  test("reported by invalid-workflow at the offending key, beside the other rules' findings", () => {
    const text = `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    step:\n      - run: make\n`;
    const findings = auditWorkflows({ files: [{ path: ".github/workflows/ci.yml", text }] }).findings;
    const invalid = findings.filter((f) => f.ruleId === "invalid-workflow");
    expect(invalid.map((f) => [f.region.startLine, f.region.startColumn, f.severity])).toEqual([
      [5, 5, "error"],
    ]);
    expect(invalid[0]!.message).toMatch(/^GitHub refuses this workflow and runs none of its jobs: /);
  });

  test("nothing the audit refuses in the project's own workflow fixtures and generated files is accepted by GitHub", () => {
    const settings = propertySettings(300);
    let generatedRefused = 0;
    checkProperty(
      "structure problems are GitHub's problems",
      fc.property(generatedFile, (file) => {
        if (file.path.includes("/actions/")) return;
        const problems = ours(file.text);
        if (problems.length === 0) return;
        generatedRefused += 1;
        expect(githubErrors(file.text), problems.join("\n")).not.toEqual([]);
      }),
      settings,
    );
    console.log(`workflow structure: ${generatedRefused} of the generated files refused by both`);
    const fixtures = [
      ...yamlUnder(new URL("./corpus/", import.meta.url).pathname),
      ...yamlUnder(new URL("./fixtures/", import.meta.url).pathname),
    ].filter((f) => !f.endsWith(".expected.yml") && !f.endsWith("action.yml"));
    expect(fixtures.length).toBeGreaterThan(80);
    let refused = 0;
    for (const path of fixtures) {
      const text = readFileSync(path, "utf8");
      const problems = ours(text);
      if (problems.length === 0) continue;
      refused += 1;
      expect(githubErrors(text), `${path}: ${problems.join("\n")}`).not.toEqual([]);
    }
    console.log(`workflow structure: ${fixtures.length} fixture files read, ${refused} refused by both`);
  });

  test("the key tables agree with GitHub's parser, level by level", () => {
    const words = [
      ...new Set([
        ...["name", "run-name", "description", "on", "permissions", "env", "defaults", "concurrency", "jobs"],
        ...["needs", "if", "runs-on", "snapshot", "environment", "outputs", "steps", "timeout-minutes"],
        ...["cancel-timeout-minutes", "strategy", "continue-on-error", "container", "services", "uses"],
        ...["with", "secrets", "id", "run", "working-directory", "shell", "author", "inputs", "runs"],
        ...["branding", "version", "matrix", "image", "labels", "group", "description"],
      ]),
    ];
    const levels: Record<string, (word: string) => string> = {
      workflow: (w) =>
        `on: push\n${w === "on" || w === "jobs" ? "" : `${w}: x\n`}jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n`,
      job: (w) =>
        `on: push\njobs:\n  a:\n    runs-on: x\n${w === "runs-on" || w === "uses" ? "" : `    ${w}: x\n`}    steps:\n      - run: x\n`,
      step: (w) =>
        `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n${w === "run" || w === "uses" ? "" : `        ${w}: x\n`}`,
    };
    const disagreements: string[] = [];
    for (const [level, text] of Object.entries(levels)) {
      for (const word of words) {
        const t = text(word);
        // Only the key is in question: values GitHub checks further (a string where a mapping
        // is due) are refused by its parser, so compare whether both name the key.
        const theirs = githubErrors(t).some((e) => e.includes(`Unexpected value '${word}'`));
        const mine = ours(t).some((e) => e.includes(`\`${word}\``));
        if (theirs !== mine) disagreements.push(`${level} ${word}: GitHub ${theirs ? "refuses" : "accepts"}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  test("each mutation of a modelled kind is refused by both", () => {
    const settings = propertySettings(200);
    const base = `on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n`;
    const mutations: Array<(t: string, word: string) => string> = [
      (t, w) => t.replace("permissions:\n  contents: read\n", `jobs_: {}\npermissions:\n  ${w}: read\n`),
      (t, w) => t.replace("    branches: [main]", `    ${w}: [main]`),
      (t, w) => t.replace("on:\n  push:", `on:\n  ${w}:`),
      (t, w) => t.replace("    timeout-minutes: 10", `    ${w}: 10`),
      (t, w) => t.replace("      - run: make", `      - run: make\n        ${w}: x`),
      (t) => t.replace("      - run: make", "      - run: make\n        uses: a/b@v1"),
      (t) => t.replace("    runs-on: ubuntu-latest\n", ""),
      (t) =>
        t.replace("permissions:\n  contents: read\njobs:\n", "jobs:\n  permissions:\n    contents: read\n"),
    ];
    expect(githubErrors(base)).toEqual([]);
    checkProperty(
      "mutations refused by both",
      fc.property(
        fc.integer({ min: 0, max: mutations.length - 1 }),
        fc.stringMatching(/^[a-z][a-z0-9]{2,8}x$/),
        (index, word) => {
          const text = mutations[index]!(base, word);
          expect(githubErrors(text), text).not.toEqual([]);
          expect(ours(text), text).not.toEqual([]);
        },
      ),
      settings,
    );
  });
});

function yamlUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return yamlUnder(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}
