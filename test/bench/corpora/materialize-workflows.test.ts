import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { materializeWorkflows } from "../../../bench/corpora/materialize.js";
import { git } from "../../helpers/git.js";

const WORKFLOW =
  "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";
const ACTION = "name: setup\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n";

const scratch = mkdtempSync(join(tmpdir(), "shipgate-materialize-workflows-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A mirror root holding acme/shop as a fetched snapshot would: <root>/acme+shop/repo. */
function mirror(): { roots: string[]; commit: string } {
  const work = join(scratch, "work");
  write(join(work, ".github/workflows/ci.yml"), WORKFLOW);
  write(join(work, ".github/actions/setup/action.yml"), ACTION);
  git(work, "init", "--quiet");
  git(work, "add", ".");
  git(work, "commit", "--quiet", "--no-gpg-sign", "-m", "one");
  const root = join(scratch, "mirrors");
  mkdirSync(join(root, "acme+shop"), { recursive: true });
  git(scratch, "clone", "--quiet", "--bare", work, join(root, "acme+shop", "repo"));
  return { roots: [root], commit: git(work, "rev-parse", "HEAD") };
}

function corpus(root: string, commit: string, sha: string, labelLine: number) {
  const dir = join(root, "bench/corpora/workflows");
  const entry = (id: string, path: string, kind: string, extra: string[] = []) => ({
    id,
    repo: "acme/shop",
    path,
    commit,
    sha256: path.endsWith("ci.yml") ? sha : createHash("sha256").update(ACTION).digest("hex"),
    kind,
    targets: [],
    environments: [],
    split: "dev",
    extra,
  });
  write(
    join(dir, "manifest.json"),
    JSON.stringify({
      corpus: "workflows",
      entries: [entry("acme-ci", ".github/workflows/ci.yml", "ci", [".github/actions/setup/action.yml"])],
    }),
  );
  write(
    join(dir, "labels/acme-ci.yml"),
    `id: acme-ci\nreviewed: 2026-12-07\nproblems:\n  - line: ${labelLine}\n    category: missing-timeout\n    severity: note\n    note: no timeout-minutes\n`,
  );
}

describe("materialize workflows", () => {
  const { roots, commit } = mirror();
  const sha = createHash("sha256").update(WORKFLOW).digest("hex");
  const base = {
    only: undefined,
    force: false,
    pathsOnly: false,
    log: () => {},
    mirrorRoots: roots,
    fetch: null,
  };

  test("writes the flat file, the repository layout with its extras, and paths.json", async () => {
    const root = join(scratch, "ok");
    corpus(root, commit, sha, 4);
    const report = await materializeWorkflows({ ...base, root });
    expect(report.outcomes.map((o) => o.ok)).toEqual([true]);
    expect(report.labelErrors).toEqual([]);
    expect(readFileSync(join(root, ".corpora/workflows/acme-ci.yml"), "utf8")).toBe(WORKFLOW);
    const layout = join(root, ".corpora/workflows/repos/acme+shop");
    expect(readFileSync(join(layout, ".github/workflows/ci.yml"), "utf8")).toBe(WORKFLOW);
    expect(readFileSync(join(layout, ".github/actions/setup/action.yml"), "utf8")).toBe(ACTION);
    const paths = JSON.parse(readFileSync(join(root, ".corpora/workflows/paths.json"), "utf8"));
    expect(paths["acme-ci"]).toMatchObject({ repo: "acme/shop", path: ".github/workflows/ci.yml", commit });
  });

  test("a file that is not what was labelled is reported, not written", async () => {
    const root = join(scratch, "changed");
    corpus(root, commit, "0".repeat(64), 4);
    const report = await materializeWorkflows({ ...base, root });
    expect(report.outcomes[0]).toMatchObject({ ok: false });
    expect(report.outcomes[0]?.detail).toMatch(/sha256/);
    expect(existsSync(join(root, ".corpora/workflows/acme-ci.yml"))).toBe(false);
  });

  test("a label past the end of its file is reported", async () => {
    const root = join(scratch, "badlabel");
    corpus(root, commit, sha, 40);
    const report = await materializeWorkflows({ ...base, root });
    expect(report.labelErrors[0]).toMatch(/acme-ci: label at line 40 is past the end/);
  });

  test("a repository with no source says why", async () => {
    const root = join(scratch, "nosource");
    corpus(root, commit, sha, 4);
    const report = await materializeWorkflows({ ...base, root, mirrorRoots: [join(scratch, "nowhere")] });
    expect(report.outcomes[0]).toMatchObject({ ok: false, detail: "no fetched snapshot on this machine" });
  });
});
