import { readdir, readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";

// Worker threads run compiled JavaScript, so this test uses dist/ (`npm test` builds first).
const { auditWorkflows } = await import("../../dist/audit/engine.js");
const { auditWorkflowsParallel, createAuditPool, MIN_PARALLEL_FILES } = await import(
  "../../dist/audit/parallel.js"
);

const STARTERS = new URL("../../bench/data/starter-workflows/", import.meta.url);
const CORPUS = new URL("./corpus/", import.meta.url);

async function files(dir: URL, prefix: string) {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n) && !n.endsWith(".expected.yml")).sort();
  return Promise.all(
    names.map(async (n) => ({ path: `${prefix}${n}`, text: await readFile(new URL(n, dir), "utf8") })),
  );
}

describe("the parallel audit gives exactly the single-thread result", () => {
  test("over the starter workflows and the labelled corpus, as one repository", async () => {
    const all = [...(await files(STARTERS, ".github/workflows/")), ...(await files(CORPUS, "corpus/"))];
    expect(all.length).toBeGreaterThanOrEqual(MIN_PARALLEL_FILES);
    const serial = auditWorkflows({ files: all });
    const pool = createAuditPool({ threads: 3 });
    try {
      expect(pool.threads).toBe(3);
      const parallel = await pool.audit({ files: all });
      expect(parallel.findings.length).toBeGreaterThan(500);
      expect(parallel).toEqual(serial);
    } finally {
      await pool.close();
    }
  }, 60_000);

  test("small inputs stay on one thread", async () => {
    const few = (await files(CORPUS, "corpus/")).slice(0, 5);
    expect(await auditWorkflowsParallel({ files: few })).toEqual(auditWorkflows({ files: few }));
  });
});
