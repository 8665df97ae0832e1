/**
 * A tiny Prometheus registry: just enough for the canary analysis to compare error rates and
 * latency between the stable and the canary release. Text exposition format 0.0.4.
 */

/** Seconds; tuned for a web API where anything above a second is an incident. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics({ version }) {
  /** key: `route\u0000status` → count */
  const requests = new Map();
  /** key: route → { counts per bucket, sum, count } */
  const durations = new Map();

  function observe({ route, status, seconds }) {
    const key = `${route}\u0000${status}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    let histogram = durations.get(route);
    if (!histogram) {
      histogram = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      durations.set(route, histogram);
    }
    BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) histogram.buckets[index] += 1;
    });
    histogram.sum += seconds;
    histogram.count += 1;
  }

  function render() {
    const lines = [
      "# HELP app_info Build information; the value is always 1.",
      "# TYPE app_info gauge",
      `app_info{version="${escapeLabel(version)}"} 1`,
      "# HELP http_requests_total HTTP requests answered, by route and status code.",
      "# TYPE http_requests_total counter",
    ];
    for (const [key, count] of [...requests].sort(byKey)) {
      const [route, status] = key.split("\u0000");
      lines.push(`http_requests_total{route="${escapeLabel(route)}",status="${status}"} ${count}`);
    }
    lines.push(
      "# HELP http_request_duration_seconds Time to answer an HTTP request, by route.",
      "# TYPE http_request_duration_seconds histogram",
    );
    for (const [route, histogram] of [...durations].sort(byKey)) {
      const label = `route="${escapeLabel(route)}"`;
      BUCKETS.forEach((bound, index) => {
        lines.push(
          `http_request_duration_seconds_bucket{${label},le="${bound}"} ${histogram.buckets[index]}`,
        );
      });
      lines.push(`http_request_duration_seconds_bucket{${label},le="+Inf"} ${histogram.count}`);
      lines.push(`http_request_duration_seconds_sum{${label}} ${histogram.sum}`);
      lines.push(`http_request_duration_seconds_count{${label}} ${histogram.count}`);
    }
    return `${lines.join("\n")}\n`;
  }

  return { observe, render };
}

function byKey([a], [b]) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeLabel(value) {
  return String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
