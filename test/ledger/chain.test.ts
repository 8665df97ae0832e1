import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/ledger/canonical-json.js";
import {
  eventHash,
  GENESIS_HASH,
  nextEvent,
  type StoredEvent,
  verifyEvents,
} from "../../src/ledger/chain.js";
import type { LedgerEvent } from "../../src/ledger/types.js";

describe("canonicalJson", () => {
  it("sorts keys recursively and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("sorts integer-like keys as strings, unlike object enumeration", () => {
    expect(canonicalJson({ 10: "a", 2: "b", x: "c" })).toBe('{"10":"a","2":"b","x":"c"}');
  });

  it("follows JSON.stringify for values JSON cannot hold", () => {
    const value = { u: undefined, f: () => 1, n: Number.NaN, list: [undefined, Infinity], at: new Date(0) };
    expect(canonicalJson(value)).toBe('{"at":"1970-01-01T00:00:00.000Z","list":[null,null],"n":null}');
    expect(canonicalJson(undefined)).toBe("null");
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
  });

  it("does not depend on the order keys were written in", () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });
});

describe("eventHash", () => {
  it("covers every field and the previous hash", () => {
    const fields = {
      seq: 1,
      env: "production",
      type: "deploy.started",
      data: { a: 1 },
      at: "2030-01-01T00:00:00.000Z",
    };
    const base = eventHash(GENESIS_HASH, fields);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...fields, data: { a: 1 } })).toBe(base);
    for (const changed of [
      { ...fields, seq: 2 },
      { ...fields, env: "staging" },
      { ...fields, deploymentId: "d1" },
      { ...fields, type: "deploy.failed" },
      { ...fields, data: { a: 2 } },
      { ...fields, at: "2030-01-01T00:00:00.001Z" },
    ]) {
      expect(eventHash(GENESIS_HASH, changed)).not.toBe(base);
    }
    expect(eventHash("f".repeat(64), fields)).not.toBe(base);
  });
});

/** A valid chain of `count` events, as stored. */
function chain(count: number): StoredEvent[] {
  const events: LedgerEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push(
      nextEvent(events.at(-1), { env: "production", type: "step", data: { i } }, "2030-01-01T00:00:00.000Z"),
    );
  }
  return events.map((e) => ({ ...e, data: JSON.stringify(e.data) }));
}

describe("verifyEvents", () => {
  it("accepts a valid chain and reports its head", () => {
    const events = chain(4);
    expect(verifyEvents(events, [])).toEqual({ ok: true, events: 4, head: events[3]!.hash, problems: [] });
  });

  it("reports two swapped events at both places", () => {
    const [a, b, c, d] = chain(4) as [StoredEvent, StoredEvent, StoredEvent, StoredEvent];
    const swapped = [a, { ...c, seq: 2 }, { ...b, seq: 3 }, d];
    const seqs = verifyEvents(swapped, []).problems.map((p) => p.seq);
    expect(new Set(seqs)).toEqual(new Set([2, 3, 4]));
  });

  it("reports an event inserted in the middle with the later ones renumbered", () => {
    const events = chain(3);
    const intruder = { ...events[1]!, data: '{"i":"forged"}' };
    const tampered = [events[0]!, intruder, ...events.slice(1).map((e) => ({ ...e, seq: e.seq + 1 }))];
    const problems = verifyEvents(tampered, []).problems;
    expect(problems[0]).toEqual({ seq: 2, problem: expect.stringMatching(/hash mismatch/) });
    expect(problems.map((p) => p.seq)).toContain(3);
  });

  it("reports a run of deleted events once, at the first missing seq", () => {
    const events = chain(6);
    const problems = verifyEvents([...events.slice(0, 2), ...events.slice(4)], []).problems;
    expect(problems).toEqual([{ seq: 3, problem: "events 3-4 are missing: deleted from the chain" }]);
  });

  it("reports deleted first events and a first event that does not start from zeros", () => {
    const events = chain(3);
    expect(verifyEvents(events.slice(1), []).problems).toEqual([
      { seq: 1, problem: expect.stringMatching(/event 1 is missing/) },
    ]);
    const rebased = [{ ...events[0]!, prevHash: "f".repeat(64) }];
    expect(verifyEvents(rebased, []).problems.map((p) => p.problem)).toEqual([
      expect.stringMatching(/prevHash does not match/),
      expect.stringMatching(/hash mismatch/),
    ]);
  });

  it("reports an event naming a deployment the ledger does not have", () => {
    const event = nextEvent(
      undefined,
      { env: "production", deploymentId: "ghost", type: "x" },
      "2030-01-01T00:00:00.000Z",
    );
    const problems = verifyEvents([{ ...event, data: "{}" }], []).problems;
    expect(problems).toEqual([
      { seq: 1, problem: expect.stringMatching(/deployment ghost, which the ledger does not have/) },
    ]);
  });
});
