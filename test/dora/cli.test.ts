import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildScenario, type Scenario } from "./support/scenario.js";

function runDora(args: string[], cwd: string) {
  return runCli(["dora", ...args], { cwd });
}

let scenario: Scenario;
const PERIOD = ["--since", "2024-03-01", "--until", "2024-03-10", "--events", "events.jsonl"];

beforeAll(async () => {
  scenario = await buildScenario();
});

afterAll(async () => {
  await rm(scenario.dir, { recursive: true, force: true });
});

describe("shipgate dora", () => {
  it("prints the table: the four keys with median, p90, n and tiers, the report year and fallbacks", async () => {
    const { code, stdout } = await runDora(PERIOD, scenario.dir);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "DORA for production, 2024-03-01T00:00:00.000Z to 2024-03-11T00:00:00.000Z (10 days)",
    );
    expect(stdout).toMatch(/deployment frequency\s+7\.70\s+per week\s+23\s+24\.00\s+11\s+elite/);
    expect(stdout).toMatch(/lead time for changes\s+5\s+hours\s+5\s+15\.00\s+13\s+elite/);
    expect(stdout).toMatch(/change failure rate\s+38\.5%\s+of deployments\s+n\/a\s+n\/a\s+13\s+low/);
    expect(stdout).toMatch(/failed deployment recovery time\s+2\s+hours\s+2\s+24\s+5\s+high/);
    expect(stdout).toMatch(/rework rate\s+23\.1%/);
    expect(stdout).toContain(
      "overall tier: low (the lowest tier among the metrics that have a value); levels of the Accelerate State of DevOps Report, 2024",
    );
    expect(stdout).toContain("deployments that fell back to a squash commit's own time: 1 of 10");
    expect(stdout).toContain("changeFailureRate.medium");
  });

  it("csv: a header and one row per figure", async () => {
    const { code, stdout } = await runDora([...PERIOD, "--format", "csv"], scenario.dir);
    expect(code).toBe(0);
    const rows = stdout.trimEnd().split("\n");
    expect(rows).toEqual([
      "metric,value,unit,median,p90,n,tier",
      "deployment frequency,7.70,per week,23,24.00,11,elite",
      "lead time for changes,5,hours,5,15.00,13,elite",
      "change failure rate,38.5%,of deployments,n/a,n/a,13,low",
      "failed deployment recovery time,2,hours,2,24,5,high",
      "rework rate,23.1%,of deployments,n/a,n/a,13,not tiered",
    ]);
  });

  it("json: the DoraReport", async () => {
    const { code, stdout } = await runDora([...PERIOD, "--format", "json"], scenario.dir);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual([
      "env",
      "period",
      "hotfixWindowHours",
      "sources",
      "deploymentFrequency",
      "leadTime",
      "changeFailureRate",
      "recoveryTime",
      "reworkRate",
      "overall",
      "tiers",
      "failures",
      "unattributedIncidents",
    ]);
    expect(report.leadTime.fallbackDeployments).toBe(1);
    expect(report.failures[0]).toEqual({
      deploymentId: "d4",
      kind: "hotfix",
      from: "2024-03-04T06:00:00.000Z",
      to: "2024-03-04T09:00:00.000Z",
    });
  });

  it("an empty period prints n/a, never NaN", async () => {
    const { code, stdout } = await runDora(["--since", "2023-01-01", "--until", "2023-01-31"], scenario.dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/lead time for changes\s+n\/a\s+hours\s+n\/a\s+n\/a\s+0\s+n\/a/);
    expect(stdout).toContain("overall tier: n/a");
    expect(stdout).not.toContain("NaN");
    const csv = await runDora(
      ["--since", "2023-01-01", "--until", "2023-01-31", "--format", "csv"],
      scenario.dir,
    );
    expect(csv.stdout).toContain("deployment frequency,n/a,per week,n/a,n/a,0,n/a");
  });

  it("a malformed events line exits 2 with its file:line:column", async () => {
    const bad = join(scenario.dir, "events-bad.jsonl");
    await writeFile(
      bad,
      [
        '{"type":"deployment","id":"x1","env":"production","at":"2024-03-01T00:00:00Z","status":"succeeded"}',
        '{"type":"deployment","id":"x2","env":"production","at":"2024-03-02T00:00:00Z","status":"done"}',
        '{"type":"incident","env":"production","start":"yesterday"}',
        '{"type":"deployment",}',
      ].join("\n"),
    );
    const { code, stderr } = await runDora(["--events", "events-bad.jsonl"], scenario.dir);
    expect(code).toBe(2);
    // Line 2: "status" begins at column 77; line 3: "start" at column 38; line 4: JSON.parse
    // stops at the "}" after the comma, offset 22, column 23.
    const line2 = '{"type":"deployment","id":"x2","env":"production","at":"2024-03-02T00:00:00Z",';
    expect(stderr).toContain(`events-bad.jsonl:2:${line2.length + 1}: error[dora/bad-event]: status:`);
    expect(stderr).toContain(
      `events-bad.jsonl:3:${'{"type":"incident","env":"production",'.length + 1}: error[dora/bad-event]: start:`,
    );
    expect(stderr).toContain(
      `events-bad.jsonl:4:${'{"type":"deployment",'.length + 1}: error[dora/bad-event]: invalid JSON`,
    );
    expect(stderr).not.toContain(":1:");
  });

  it("an unknown --format is bad usage", async () => {
    const { code, stderr } = await runDora(["--format", "xml"], scenario.dir);
    expect(code).toBe(2);
    expect(stderr).toContain("dora/format");
  });
});
