import type { HttpAnswer } from "./http.js";
import { queryJson } from "./jsonpath.js";
import type { SmokeCheck } from "./types.js";

/** Every way the answer misses the check's expectations; all are listed, not just the first. */
export function expectationFailures(check: SmokeCheck, answer: HttpAnswer): string[] {
  const failures: string[] = [];
  const { expect } = check;

  const statuses = expect.status;
  if (statuses ? !statuses.includes(answer.status) : answer.status < 200 || answer.status > 299) {
    const wanted = statuses ? statuses.join(" or ") : "2xx";
    failures.push(`expected status ${wanted}, got ${answer.status}`);
  }

  for (const text of expect.bodyContains) {
    if (!answer.body.includes(text)) failures.push(`body does not contain ${JSON.stringify(text)}`);
  }

  const jsonEntries = Object.entries(expect.json);
  if (jsonEntries.length > 0) {
    let document: unknown;
    let parsed = true;
    try {
      document = JSON.parse(answer.body);
    } catch {
      parsed = false;
      failures.push(`body is not JSON (${preview(answer.body)})`);
    }
    if (parsed) {
      for (const [path, expected] of jsonEntries) {
        const actual = queryJson(path, document);
        if (!actual.found) failures.push(`${path}: expected ${show(expected)}, got nothing (no such path)`);
        else if (!deepEqual(actual.value, expected)) {
          failures.push(`${path}: expected ${show(expected)}, got ${show(actual.value)}`);
        }
      }
    }
  }

  for (const [name, expected] of Object.entries(expect.header)) {
    const actual = answer.headers.get(name);
    if (actual === null) failures.push(`header ${name}: expected ${show(expected)}, got none`);
    else if (actual !== expected)
      failures.push(`header ${name}: expected ${show(expected)}, got ${show(actual)}`);
  }

  const latencyMs = Math.round(answer.latencyMs);
  if (check.maxLatencyMs !== undefined && latencyMs > check.maxLatencyMs) {
    failures.push(`latency ${latencyMs} ms over budget ${check.maxLatencyMs} ms`);
  }
  return failures;
}

/** JSON form, shortened: a failure line must stay readable in a table. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function preview(body: string): string {
  if (body.trim() === "") return "empty";
  const oneLine = body.replace(/\s+/g, " ").trim();
  return `starts with ${JSON.stringify(oneLine.length > 40 ? `${oneLine.slice(0, 40)}...` : oneLine)}`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aKeys.length === Object.keys(b).length &&
    aKeys.every(
      (key) => Object.hasOwn(bRecord, key) && deepEqual((a as Record<string, unknown>)[key], bRecord[key]),
    )
  );
}
