import { inputError } from "../errors.js";
import { DAY_MS, HOUR_MS } from "./stats.js";

export interface Period {
  sinceMs: number;
  untilMs: number;
}

const SPAN = /^(\d+)([hdw])$/;
const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UNIT_MS: Record<string, number> = { h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/**
 * The half-open period [since, until). A bare `--until` date includes that whole day (UTC),
 * so `--since 2024-03-01 --until 2024-03-31` covers all of March.
 */
export function resolvePeriod(options: { since?: string; until?: string; now: Date }): Period {
  const untilMs =
    options.until === undefined ? options.now.getTime() : parseInstant("--until", options.until, true);
  const since = options.since ?? "90d";
  const span = SPAN.exec(since);
  const sinceMs = span
    ? untilMs - Number(span[1]) * UNIT_MS[span[2]!]!
    : parseInstant("--since", since, false);
  if (sinceMs >= untilMs) {
    throw inputError(
      "dora/period",
      `--since (${new Date(sinceMs).toISOString()}) is not before --until (${new Date(untilMs).toISOString()})`,
      {
        hint: "give a --since earlier than --until",
      },
    );
  }
  return { sinceMs, untilMs };
}

function parseInstant(flag: string, value: string, endOfDay: boolean): number {
  if (BARE_DATE.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(ms)) return endOfDay ? ms + DAY_MS : ms;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw inputError("dora/period", `invalid ${flag} "${value}"`, {
    hint: "use a date (2024-03-01), an ISO timestamp (2024-03-01T12:00:00Z) or, for --since, a span such as 90d, 12w or 36h",
  });
}
