/**
 * Bounds on what a report may make the gate do (docs/gates.md, "Limits"): a report past one is
 * refused with its own error before it can exhaust the memory or the stack.
 */

/**
 * Reports read whole (every format but Trivy, which is streamed) are refused above this size.
 * Parsing holds the text and its tree at once: a 100 MB Cobertura report, the costliest
 * format, peaks at about 1.3 GB, within Node's default heap on a 7 GB CI runner.
 */
export const MAX_REPORT_BYTES = 100 * 1024 * 1024;

/** The deepest nesting of JSON arrays and objects or XML elements a report may have. */
export const MAX_NESTING = 100;
