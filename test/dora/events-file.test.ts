import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEvents } from "../../src/dora/events-file.js";
import type { ShipgateError } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { CONFIG } from "./support/scenario.js";

const deployment = (id: string, at: string, extra: object = {}) =>
  JSON.stringify({ type: "deployment", id, env: "production", at, status: "succeeded", ...extra });
const incident = (extra: object) =>
  JSON.stringify({ type: "incident", env: "production", start: "2024-03-01T09:00:00Z", ...extra });

function problems(text: string): ShipgateError["diagnostics"] {
  try {
    parseEvents(text, "e.jsonl");
  } catch (error) {
    return (error as ShipgateError).diagnostics;
  }
  return expect.fail("expected the events to be refused");
}

describe("repeated ids", () => {
  it("a deployment id on two lines is an error at the second, naming the first", () => {
    const text = [
      deployment("deploy-7", "2024-03-01T10:00:00Z"),
      deployment("deploy-8", "2024-03-01T11:00:00Z"),
      deployment("deploy-7", "2024-03-01T10:00:00Z"),
    ].join("\n");
    expect(problems(text)).toEqual([
      expect.objectContaining({
        code: "dora/duplicate-event",
        message: 'deployment id "deploy-7" is also on line 1',
        location: { file: "e.jsonl", line: 3, column: text.split("\n")[2]!.indexOf('"id"') + 1 },
      }),
    ]);
  });

  it("every repeat is reported, each naming the first line", () => {
    const line = deployment("d", "2024-03-01T10:00:00Z");
    const found = problems([line, "", line, line].join("\n"));
    expect(found.map((p) => `${p.location?.line}: ${p.message}`)).toEqual([
      '3: deployment id "d" is also on line 1',
      '4: deployment id "d" is also on line 1',
    ]);
  });

  it("an incident id on two lines is an error; incidents without ids and a deployment of the same id are not", () => {
    const text = [
      incident({ id: "INC-1" }),
      incident({}),
      incident({}),
      deployment("INC-1", "2024-03-01T10:00:00Z"),
      incident({ id: "INC-1", end: "2024-03-01T10:00:00Z" }),
    ].join("\n");
    expect(problems(text).map((p) => `${p.location?.line}: ${p.message}`)).toEqual([
      '5: incident id "INC-1" is also on line 1',
    ]);
  });
});

describe("time order within an event", () => {
  it("an incident that ends before it starts is an error at its end", () => {
    const text = incident({ end: "2024-03-01T08:59:59Z" });
    expect(problems(text)).toEqual([
      expect.objectContaining({
        code: "dora/bad-event",
        message: "end: 2024-03-01T08:59:59Z is before start 2024-03-01T09:00:00Z",
        location: { file: "e.jsonl", line: 1, column: text.indexOf('"end"') + 1 },
      }),
    ]);
  });

  it("zones are compared as instants: an end written in another zone may look earlier and is not", () => {
    const events = parseEvents(incident({ end: "2024-03-01T08:30:00-01:00" }), "e.jsonl");
    expect(events.incidents[0]?.endMs).toBe(Date.parse("2024-03-01T09:30:00Z"));
  });

  it("an incident may end when it starts", () => {
    expect(parseEvents(incident({ end: "2024-03-01T09:00:00Z" }), "e.jsonl").incidents).toHaveLength(1);
  });

  it("a deployment that ends before it started is an error at startedAt", () => {
    const text = deployment("d", "2024-03-01T10:00:00Z", { startedAt: "2024-03-01T10:00:01Z" });
    expect(problems(text)).toEqual([
      expect.objectContaining({
        message: "startedAt: 2024-03-01T10:00:01Z is after at 2024-03-01T10:00:00Z",
        location: { file: "e.jsonl", line: 1, column: text.indexOf('"startedAt"') + 1 },
      }),
    ]);
  });
});

describe("shipgate dora --events", () => {
  it("refuses repeated ids and reversed incidents with exit 2 and every line", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "shipgate.yml"), CONFIG);
    await writeFile(
      join(dir, "events.jsonl"),
      `${[
        deployment("d1", "2024-03-01T10:00:00Z"),
        deployment("d1", "2024-03-01T10:00:00Z"),
        incident({ end: "2024-03-01T08:00:00Z", deployment: "d1" }),
      ].join("\n")}\n`,
    );
    const { code, stdout, stderr } = await runCli(["dora", "--events", "events.jsonl"], { cwd: dir });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^events\.jsonl:2:\d+: error\[dora\/duplicate-event\]: deployment id "d1" is also on line 1$/m,
    );
    expect(stderr).toMatch(/^events\.jsonl:3:\d+: error\[dora\/bad-event\]: end: .* is before start /m);
  });
});
