import { readdir, readFile } from "node:fs/promises";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { propertySettings } from "../helpers/property.js";
import { generatedRepository } from "../helpers/workflow-arbitrary.js";

// Worker threads run compiled JavaScript, so this test uses dist/ (`npm test` builds first).
const { auditWorkflows } = await import("../../dist/audit/engine.js");
const { auditWorkflowsParallel, createAuditPool, MIN_PARALLEL_FILES } = await import(
  "../../dist/audit/parallel.js"
);

const CORPUS = new URL("./corpus/", import.meta.url);

async function files(dir: URL, prefix: string) {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n) && !n.endsWith(".expected.yml")).sort();
  return Promise.all(
    names.map(async (n) => ({ path: `${prefix}${n}`, text: await readFile(new URL(n, dir), "utf8") })),
  );
}

describe("the parallel audit gives exactly the single-thread result", () => {
  const { seed } = propertySettings(1);
  test(`over 160 generated files and the labelled corpus, as one repository (seed ${seed})`, async () => {
    const [generated] = fc.sample(generatedRepository({ minLength: 160, maxLength: 160 }), {
      numRuns: 1,
      seed,
    });
    const all = [
      ...generated!.map(({ path, text }) => ({ path, text })),
      ...(await files(CORPUS, "corpus/")),
    ];
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

  test("a file a worker refuses (over a limit) is bad input, exit 2, not an internal error", async () => {
    const small = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n";
    const jobs = Array.from({ length: 1_001 }, (_, i) => `  j${i}:\n    runs-on: x\n`).join("");
    const all = [
      ...Array.from({ length: MIN_PARALLEL_FILES }, (_, i) => ({ path: `w${i}.yml`, text: small })),
      { path: "zz-huge.yml", text: `on: push\njobs:\n${jobs}` },
    ];
    const pool = createAuditPool({ threads: 2 });
    try {
      await expect(pool.audit({ files: all })).rejects.toMatchObject({
        name: "ShipgateError",
        exitCode: 2,
        diagnostics: [expect.objectContaining({ code: "audit/too-many-jobs" })],
      });
    } finally {
      await pool.close();
    }
  });

  test("a workflow and the composite action it uses, on different threads, read as on one", async () => {
    const small = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n";
    const release =
      "on:\n  push:\n    branches: [main]\njobs:\n  release:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/apply-manifests\n";
    const action =
      "name: Ship\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: kubectl -n production apply -f k8s/\n";
    // Slices follow input order and the first is this thread's: the action stays here, the
    // workflow that uses it goes to a worker.
    const all = [
      { path: ".github/actions/apply-manifests/action.yml", text: action },
      ...Array.from({ length: MIN_PARALLEL_FILES }, (_, i) => ({
        path: `.github/workflows/w${i}.yml`,
        text: small,
      })),
      { path: ".github/workflows/z-release.yml", text: release },
    ];
    const serial = auditWorkflows({ files: all });
    expect(
      serial.findings.some((f: { ruleId: string }) => f.ruleId === "production-without-environment"),
    ).toBe(true);
    const pool = createAuditPool({ threads: 2 });
    try {
      expect(await pool.audit({ files: all })).toEqual(serial);
    } finally {
      await pool.close();
    }
  });

  test("small inputs stay on one thread", async () => {
    const few = (await files(CORPUS, "corpus/")).slice(0, 5);
    expect(await auditWorkflowsParallel({ files: few })).toEqual(auditWorkflows({ files: few }));
  });
});
