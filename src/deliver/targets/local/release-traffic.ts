import { LatencyHistogram } from "../../analysis/histogram.js";
import type { ReleaseCounters } from "../../analysis/types.js";

/**
 * The router's cumulative counts for one release. Plain number fields, not a map, so that
 * recording a request allocates nothing; `counters()` builds the wire shape on demand.
 */
export class ReleaseTraffic {
  requests = 0;
  errors = 0;
  clientAborts = 0;
  /** Index 1–5: answers by status class; index 0: connection failures. */
  readonly byClass = new Float64Array(6);
  readonly latency = new LatencyHistogram();

  recordStatus(status: number, ms: number): void {
    this.requests++;
    const statusClass = Math.floor(status / 100);
    this.byClass[statusClass >= 1 && statusClass <= 5 ? statusClass : 5]!++;
    if (status >= 500) this.errors++;
    this.latency.record(ms);
  }

  /**
   * The client closed its connection before the answer was complete. Not the release's doing
   * and not counted as a request: a client that cuts only one release's answers must not be
   * able to make it look broken.
   */
  recordClientAbort(): void {
    this.clientAborts++;
  }

  /** The upstream could not be reached or broke off the answer. */
  recordFailure(ms: number): void {
    this.requests++;
    this.errors++;
    this.byClass[0]!++;
    this.latency.record(ms);
  }

  counters(): ReleaseCounters {
    const statuses: Record<string, number> = {};
    for (let i = 1; i <= 5; i++) if (this.byClass[i]! > 0) statuses[`${i}xx`] = this.byClass[i]!;
    if (this.byClass[0]! > 0) statuses.error = this.byClass[0]!;
    return {
      requests: this.requests,
      errors: this.errors,
      statuses,
      latency: this.latency.snapshot(),
      ...(this.clientAborts > 0 && { clientAborts: this.clientAborts }),
    };
  }
}

/** The counters of a release the router has not served: what `counters()` of a new one gives. */
export function emptyCounters(): ReleaseCounters {
  return { requests: 0, errors: 0, statuses: {}, latency: { count: 0, sumMs: 0, buckets: [] } };
}
