/**
 * Steady traffic from a process of its own: `node --import tsx load-process.ts <url> <rps>`.
 * Runs until SIGTERM (or two minutes at most), then prints its LoadSummary as JSON.
 */
import { generateLoad } from "../../../src/deliver/load.js";

const [url, rps] = process.argv.slice(2);
const stop = new AbortController();
process.on("SIGTERM", () => stop.abort());
const summary = await generateLoad({
  url: url!,
  rps: Number(rps),
  maxDurationMs: 120_000,
  signal: stop.signal,
});
process.stdout.write(`${JSON.stringify(summary)}\n`);
