/** Number formatting for verdict reasons: short, and the same everywhere. */

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "∞" : value < 0 ? "-∞" : "n/a";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1);
  // Three significant digits; Math.round is much cheaper than toPrecision, and verdicts are
  // built after every measurement.
  const digits = 2 - Math.floor(Math.log10(magnitude));
  if (digits <= 0) {
    const step = 10 ** -digits;
    return String(Math.round(value / step) * step);
  }
  const scale = 10 ** digits;
  return String(Math.round(value * scale) / scale);
}

export function formatPercent(rate: number): string {
  return `${formatNumber(rate * 100)}%`;
}

export function formatMs(ms: number | undefined): string {
  return ms === undefined ? "n/a" : `${formatNumber(ms)} ms`;
}

/** errors/requests (rate), e.g. "12/240 (5%)". */
export function formatCounts(errors: number, requests: number): string {
  return `${errors}/${requests} (${formatPercent(requests > 0 ? errors / requests : 0)})`;
}
