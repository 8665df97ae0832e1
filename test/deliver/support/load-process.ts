/**
 * Steady traffic from a process of its own: `node --import tsx load-process.ts <url> <rps>`.
 * Prints `flowing` once it has started, runs until SIGTERM (or two minutes at most), then
 * prints its LoadSummary as JSON on the last line.
 */
import { generateLoad } from "../../../src/deliver/load.js";

const [url, rps] = process.argv.slice(2);
const stop = new AbortController();
process.on("SIGTERM", () => stop.abort());
const load = generateLoad({ url: url!, rps: Number(rps), maxDurationMs: 120_000, signal: stop.signal });
// Tell the parent the traffic is flowing, so a rollout never starts before it does.
setTimeout(() => process.stdout.write("flowing\n"), 300);
const summary = await load;
process.stdout.write(`${JSON.stringify(summary)}\n`);
