/**
 * Answers of Prometheus 2.42 (Debian's package) to the provider's queries, as it wrote them,
 * with the sample service's series: the shapes the unit tests feed the client and provider.
 * The real-prometheus tests check the same code against a live server.
 */

/** `http_requests_total{shipgate_release="canary-1",route="/api/orders"}[3s]` */
export const REQUESTS_ANSWER = {
  status: "success",
  data: {
    resultType: "matrix",
    result: [
      {
        metric: {
          __name__: "http_requests_total",
          instance: "127.0.0.1:42575",
          job: "static",
          route: "/api/orders",
          shipgate_release: "canary-1",
          status: "200",
        },
        values: [
          [1796607142.9, "139"],
          [1796607143.9, "139"],
          [1796607144.905, "139"],
        ],
      },
      {
        metric: {
          __name__: "http_requests_total",
          instance: "127.0.0.1:42575",
          job: "static",
          route: "/api/orders",
          shipgate_release: "canary-1",
          status: "500",
        },
        values: [
          [1796607142.9, "12"],
          [1796607143.9, "12"],
          [1796607144.905, "12"],
        ],
      },
    ],
  },
};

/** `sum(http_requests_total)[3s]`: a range on something that is not a selector. */
export const NOT_A_SELECTOR_ANSWER = {
  status: "error",
  errorType: "bad_data",
  error: 'invalid parameter "query": 1:25: parse error: ranges only allowed for vector selectors',
};

export const EMPTY_ANSWER = { status: "success", data: { resultType: "matrix", result: [] } };
