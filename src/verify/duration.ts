const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `1.5s`, `5m`, `1h` → milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/**
 * A shipgate.yml duration (`30s`, `10m`, `24h`, `7d`: the `duration` schema type) or a flag
 * that takes one: everything `parseDuration` reads, plus whole days.
 */
export function parseConfigDuration(text: string): number | undefined {
  const days = /^(\d+)d$/.exec(text.trim());
  return days ? Number(days[1]) * 86_400_000 : parseDuration(text);
}

/** Short human form for progress lines and tables: `850ms`, `4s`, `1.5s`, `2m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) {
    const seconds = Math.round(ms / 100) / 10;
    return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`;
  }
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
