/**
 * Run in a child process by trivy-memory.test.ts: parses one Trivy report and prints how much
 * memory that took, free of the test runner's own heap.
 * Usage: node --import tsx parse-trivy-child.ts <report.json>
 */
import { parse } from "../../../src/gates/parsers/trivy/index.js";

const file = process.argv[2];
if (!file) throw new Error("usage: parse-trivy-child.ts <report.json>");

const before = process.memoryUsage();
let peakHeap = before.heapUsed;
let peakRss = before.rss;
const sampler = setInterval(() => {
  const now = process.memoryUsage();
  peakHeap = Math.max(peakHeap, now.heapUsed);
  peakRss = Math.max(peakRss, now.rss);
}, 5);
const started = Date.now();
const report = await parse(file);
clearInterval(sampler);
const after = process.memoryUsage();
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
process.stdout.write(
  `${JSON.stringify({
    findings: report.findings.length,
    ms: Date.now() - started,
    rssBeforeMb: mb(before.rss),
    // maxRSS is the kernel's high-water mark, so a spike between samples is not missed.
    rssPeakMb: Math.max(mb(peakRss), Math.round(process.resourceUsage().maxRSS / 1024)),
    heapBeforeMb: mb(before.heapUsed),
    heapPeakMb: mb(Math.max(peakHeap, after.heapUsed)),
  })}\n`,
);
