import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { type Diagnostic, inputError, ShipgateError } from "../errors.js";
import type { DeploymentFact, IncidentFact } from "./facts.js";

const instant = z.iso.datetime({ offset: true });
const env = z.string().regex(/^[a-z][a-z0-9-]*$/, "an environment name such as production");

export const DeploymentEventSchema = z.strictObject({
  type: z.literal("deployment"),
  id: z.string().min(1),
  env,
  /** When it ended: live for a success, failed, or back on the previous release. */
  at: instant,
  startedAt: instant.optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, "a commit SHA in lowercase hex")
    .optional(),
  status: z.enum(["succeeded", "failed", "rolled_back"]),
  kind: z.enum(["deploy", "rollback"]).default("deploy"),
  hotfix: z.boolean().optional(),
});

export const IncidentEventSchema = z.strictObject({
  type: z.literal("incident"),
  id: z.string().min(1).optional(),
  env,
  start: instant,
  end: instant.optional(),
  deployment: z.string().min(1).optional(),
});

export const DoraEventSchema = z.discriminatedUnion("type", [DeploymentEventSchema, IncidentEventSchema]);

export interface ImportedEvents {
  deployments: DeploymentFact[];
  incidents: IncidentFact[];
}

/**
 * Reads a JSON-lines file of deployments and incidents. Every bad line is reported at once,
 * as `file:line:column`, so a large export is fixed in one pass.
 */
export async function readEventsFile(options: { path: string; cwd: string }): Promise<ImportedEvents> {
  let text: string;
  try {
    text = await readFile(resolve(options.cwd, options.path), "utf8");
  } catch (error) {
    throw inputError("dora/events-unreadable", `cannot read ${options.path}: ${(error as Error).message}`, {
      hint: "pass --events a JSON-lines file (see docs/dora.md)",
    });
  }
  return parseEvents(text, options.path);
}

/**
 * Checks each line, then what lines say together: an id is one event, so a repeated id is an
 * error naming both lines rather than a deployment (or incident) counted twice.
 */
export function parseEvents(text: string, file: string): ImportedEvents {
  const out: ImportedEvents = { deployments: [], incidents: [] };
  const problems: Diagnostic[] = [];
  // Deployments and incidents are numbered apart: INC-7 may share its id with a deployment.
  const firstLine = { deployment: new Map<string, number>(), incident: new Map<string, number>() };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push(
        badLine(file, line, jsonErrorColumn(error, raw), `invalid JSON: ${(error as Error).message}`),
      );
      return;
    }
    const parsed = DoraEventSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String).join(".");
        const what = path ? `${path}: ${issue.message}` : issue.message;
        // An unknown key's issue sits on the object; point at the key itself.
        const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
        problems.push(badLine(file, line, keyColumn(raw, [...issue.path, ...keys]), what));
      }
      return;
    }
    const event = parsed.data;
    const found = problems.length;
    if (event.id !== undefined) {
      const seen = firstLine[event.type].get(event.id);
      if (seen === undefined) firstLine[event.type].set(event.id, line);
      else {
        const message = `${event.type} id "${event.id}" is also on line ${seen}`;
        problems.push(repeatedId(file, line, keyColumn(raw, ["id"]), message));
      }
    }
    const reversed = reversedSpan(event);
    if (reversed) problems.push(badLine(file, line, keyColumn(raw, [reversed.key]), reversed.message));
    if (problems.length > found) return;
    if (event.type === "deployment") {
      out.deployments.push({
        id: event.id,
        env: event.env,
        kind: event.kind,
        status: event.status,
        finishedMs: Date.parse(event.at),
        ...(event.startedAt && { startedMs: Date.parse(event.startedAt) }),
        ...(event.commit && { commit: event.commit }),
        ...(event.hotfix !== undefined && { hotfix: event.hotfix }),
        source: "events",
      });
    } else {
      out.incidents.push({
        env: event.env,
        startMs: Date.parse(event.start),
        ...(event.id && { id: event.id }),
        ...(event.end && { endMs: Date.parse(event.end) }),
        ...(event.deployment && { deploymentId: event.deployment }),
      });
    }
  });
  if (problems.length > 0) throw new ShipgateError(problems, { exitCode: 2 });
  return out;
}

/** An event that ends before it began: Date.parse compares instants, whatever the zones. */
function reversedSpan(event: z.infer<typeof DoraEventSchema>): { key: string; message: string } | undefined {
  if (event.type === "incident") {
    if (event.end !== undefined && Date.parse(event.end) < Date.parse(event.start)) {
      return { key: "end", message: `end: ${event.end} is before start ${event.start}` };
    }
  } else if (event.startedAt !== undefined && Date.parse(event.startedAt) > Date.parse(event.at)) {
    return { key: "startedAt", message: `startedAt: ${event.startedAt} is after at ${event.at}` };
  }
  return undefined;
}

function repeatedId(file: string, line: number, column: number, message: string): Diagnostic {
  return {
    code: "dora/duplicate-event",
    message,
    location: { file, line, column },
    hint: "ids are unique: keep one line per event (two overlapping exports repeat lines; `sort -u` drops exact copies)",
  };
}

function badLine(file: string, line: number, column: number, message: string): Diagnostic {
  return {
    code: "dora/bad-event",
    message,
    location: { file, line, column },
    hint: "each line is one JSON object: a deployment or an incident (see docs/dora.md)",
  };
}

/** V8 names the offending character's offset ("at position 12"); 1-based column, or 1. */
function jsonErrorColumn(error: unknown, raw: string): number {
  const match = /position (\d+)/.exec((error as Error).message);
  if (match) return Math.min(Number(match[1]), raw.length) + 1;
  return 1;
}

/** The column of the last key of the issue's path that appears in the line, else 1. */
function keyColumn(raw: string, path: readonly PropertyKey[]): number {
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i];
    if (typeof key !== "string") continue;
    const at = raw.indexOf(JSON.stringify(key));
    if (at >= 0) return at + 1;
  }
  return 1;
}
