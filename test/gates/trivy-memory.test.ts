import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.js";
import { writeBigTrivyReport } from "./support/big-trivy.js";

const CHILD = fileURLToPath(new URL("./support/parse-trivy-child.ts", import.meta.url));

describe("Trivy report of 50 MB", () => {
  it("is parsed streaming, with memory growth well under 300 MB", async () => {
    const dir = await tempDir();
    const file = join(dir, "trivy.json");
    const { findings } = await writeBigTrivyReport(file, 50);
    expect((await stat(file)).size).toBeGreaterThan(50 * 1024 * 1024);

    // A child process, so the memory measured is the parser's and not the test runner's.
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", CHILD, file], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      maxBuffer: 1024 * 1024,
    });
    const measured = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(measured.findings).toBe(findings);
    expect(measured.rssPeakMb - measured.rssBeforeMb).toBeLessThan(300);
    expect(measured.heapPeakMb - measured.heapBeforeMb).toBeLessThan(200);
    if (process.env.SHIPGATE_MEMORY_REPORT) console.log(measured);
  }, 120_000);
});
