import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import {
  APP_FIELDS,
  loadLabels,
  loadManifest,
  loadSplit,
  parseLabel,
} from "../../../bench/corpora/repos/corpus.js";
import {
  accuracy,
  compareCommand,
  compareSet,
  compareVersion,
  formatSummary,
  lookup,
  matchApps,
  normalizeCommand,
  observeDefaultBranch,
  scoreField,
  scoreRepository,
  summarize,
} from "../../../bench/corpora/repos/score.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** A label written the way the corpus writes them, for a small made-up service. */
const LABEL = `
id: example
repo: example/service
commit: 0123456789abcdef0123456789abcdef01234567
ecosystem: node-pnpm
reviewed: 2026-12-07
defaultBranch:
  value: develop
  evidence: [".github/workflows/ci.yml:5"]
apps:
  - path: apps/api
    name: api
    language: { value: node, evidence: ["apps/api/package.json:1"] }
    packageManager: { value: pnpm, evidence: ["pnpm-lock.yaml"] }
    languageVersion: { value: "22.11.0", file: .nvmrc, evidence: [".nvmrc:1"] }
    install: { value: pnpm install --frozen-lockfile, evidence: ["ci.yml:20"] }
    lint: { value: pnpm lint, evidence: ["package.json:8"] }
    typecheck: { value: null, evidence: ["no typecheck script"] }
    test: { value: pnpm test, accept: ["pnpm vitest run"], evidence: ["package.json:9"] }
    build: { value: pnpm build, evidence: ["package.json:10"] }
    start: { value: node dist/main.js, evidence: ["Dockerfile:20"] }
    healthPath: { value: /healthz, evidence: ["Dockerfile:18"] }
    readyPath: { value: null, evidence: ["none"] }
    port: { value: 8080, evidence: ["Dockerfile:19"] }
    services: { value: [postgres, redis], evidence: ["ci.yml:30-40"] }
    testEnv: { value: [DATABASE_URL, REDIS_URL], evidence: ["ci.yml:12-13"] }
    dockerfile: { value: apps/api/Dockerfile, evidence: ["apps/api/Dockerfile"] }
    setupNeeds: { value: ["corepack enable"], evidence: ["package.json:30"] }
  - path: apps/web
    name: web
    language: { value: node, evidence: ["apps/web/package.json:1"] }
    packageManager: { value: pnpm, evidence: ["pnpm-lock.yaml"] }
    languageVersion: { value: unknown, why: "no version file", evidence: ["none"] }
    install: { value: pnpm install, evidence: ["ci.yml:20"] }
    lint: { value: null, evidence: ["none"] }
    typecheck: { value: null, evidence: ["none"] }
    test: { value: null, evidence: ["none"] }
    build: { value: pnpm build, evidence: ["apps/web/package.json:5"] }
    start: { value: pnpm start, evidence: ["apps/web/package.json:6"] }
    healthPath: { value: null, evidence: ["none"] }
    readyPath: { value: null, evidence: ["none"] }
    port: { value: 3000, evidence: ["apps/web/package.json:6"] }
    services: { value: [], evidence: ["none"] }
    testEnv: { value: [], evidence: ["none"] }
    dockerfile: { value: null, evidence: ["none"] }
    setupNeeds: { value: [], evidence: ["none"] }
`;

/** What a version of init might write for it: one app, a few fields off, one flagged. */
const WRITTEN = `
version: 1
app:
  name: api
  path: apps/api
  language: node
  packageManager: pnpm
  languageVersion: "22"
  versionFile: .nvmrc
  commands:
    install: pnpm install
    lint: pnpm run lint
    test: pnpm test -- --coverage
    build: pnpm build
  # Replace: no start command found
  start: npm start
  healthPath: /health
  services: [postgres]
artifact:
  dockerfile: apps/api/Dockerfile
environments:
  staging:
    target: { type: local, port: 8080 }
`;

describe("comparing commands", () => {
  test("spelling variants are the same command", () => {
    expect(normalizeCommand("npm run test")).toBe("npm test");
    expect(normalizeCommand("  ./gradlew   build ")).toBe("gradlew build");
    expect(compareCommand("pnpm lint", "pnpm run lint")).toBe("right");
    expect(compareCommand("npm ci", "npm clean-install --no-fund")).toBe("right");
  });

  test("the right command with other flags, a runner prefix or more arguments is partly right", () => {
    expect(compareCommand("pnpm install --frozen-lockfile", "pnpm install")).toBe("partly");
    expect(compareCommand("pytest", "uv run pytest -n auto")).toBe("partly");
    expect(compareCommand("cargo test", "cargo test --workspace")).toBe("partly");
    expect(compareCommand("pytest tests/", "pytest")).toBe("partly");
    expect(compareCommand("npm test", "npm ci && npm test")).toBe("partly");
  });

  test("another command, or a bare tool name, is wrong", () => {
    expect(compareCommand("npm run lint", "npm test")).toBe("wrong");
    expect(compareCommand("yarn build", "yarn")).toBe("wrong");
    expect(compareCommand("make test", "go test ./...")).toBe("wrong");
  });
});

describe("comparing versions and sets", () => {
  test("the same major line is partly right", () => {
    expect(compareVersion("22", "v22.x")).toBe("right");
    expect(compareVersion(">=3.12", "3.12")).toBe("right");
    expect(compareVersion("24.14.0", "24")).toBe("partly");
    expect(compareVersion("3.12", "3.13")).toBe("wrong");
  });

  test("services: equal sets are right, overlapping ones partly", () => {
    expect(compareSet(["postgres", "redis"], ["redis", "postgres"])).toBe("right");
    expect(compareSet(["postgres", "redis"], ["postgres"])).toBe("partly");
    expect(compareSet(["mongodb"], ["postgres"])).toBe("wrong");
  });
});

describe("reading what init wrote", () => {
  test("a comment saying Replace above a key marks it", () => {
    const doc = parseDocument(WRITTEN);
    expect(lookup(doc, ["app", "start"])).toEqual({ value: "npm start", marked: true });
    expect(lookup(doc, ["app", "name"])).toEqual({ value: "api", marked: false });
    expect(lookup(doc, ["app", "nope"]).value).toBeUndefined();
  });

  test("a placeholder value is marked", () => {
    const doc = parseDocument("app:\n  start: <your start command>\n");
    expect(lookup(doc, ["app", "start"]).marked).toBe(true);
  });

  test("the default branch is ci.branches, else the schema's default main", () => {
    expect(observeDefaultBranch(parseDocument("ci:\n  branches: [develop]\n")).value).toBe("develop");
    expect(observeDefaultBranch(parseDocument(WRITTEN))).toMatchObject({ value: "main", defaulted: true });
  });
});

describe("scoring a field", () => {
  const label = parseLabel(LABEL);
  const api = label.apps[0]!.fields;
  const web = label.apps[1]!.fields;

  test("unknown in the label: marked counts as right, a plain guess is wrong", () => {
    expect(scoreField("languageVersion", web.languageVersion, { value: "20", marked: true }).outcome).toBe(
      "marked",
    );
    expect(scoreField("languageVersion", web.languageVersion, { value: "20", marked: false }).outcome).toBe(
      "wrong",
    );
    expect(
      scoreField("languageVersion", web.languageVersion, { value: undefined, marked: false }).outcome,
    ).toBe("missing");
  });

  test("none in the label: leaving it out is right, a schema default is wrong unless flagged", () => {
    expect(scoreField("test", web.test, { value: undefined, marked: false }).outcome).toBe("right");
    expect(
      scoreField("healthPath", web.healthPath, { value: "/health", marked: false, defaulted: true }).outcome,
    ).toBe("wrong");
    expect(
      scoreField("healthPath", web.healthPath, { value: "/health", marked: true, defaulted: true }).outcome,
    ).toBe("marked");
    expect(scoreField("services", web.services, { value: [], marked: false, defaulted: true }).outcome).toBe(
      "right",
    );
  });

  test("an accepted alternative is right", () => {
    expect(scoreField("test", api.test, { value: "pnpm vitest run", marked: false }).outcome).toBe("right");
  });
});

describe("scoring a repository", () => {
  const label = parseLabel(LABEL);
  const result = scoreRepository(label, WRITTEN);
  const outcome = (app: number, field: string) =>
    result.fields.find((f) => f.app === app && f.field === field)?.outcome;

  test("every labelled field of every app is scored once", () => {
    expect(result.fields).toHaveLength(1 + 2 * APP_FIELDS.length);
  });

  test("the app init described is compared with the labelled app at the same path", () => {
    expect(outcome(0, "path")).toBe("right");
    expect(outcome(0, "install")).toBe("partly");
    expect(outcome(0, "lint")).toBe("right");
    expect(outcome(0, "typecheck")).toBe("right");
    expect(outcome(0, "test")).toBe("partly");
    expect(outcome(0, "start")).toBe("wrong");
    expect(outcome(0, "healthPath")).toBe("wrong");
    expect(outcome(0, "services")).toBe("partly");
    expect(outcome(0, "languageVersion")).toBe("partly");
    expect(outcome(0, "dockerfile")).toBe("right");
  });

  test("fields today's schema has no key for are missing, and so is a second app", () => {
    expect(outcome(-1, "defaultBranch")).toBe("wrong");
    expect(outcome(0, "port")).toBe("missing");
    expect(outcome(0, "testEnv")).toBe("missing");
    expect(outcome(0, "setupNeeds")).toBe("missing");
    expect(outcome(1, "build")).toBe("missing");
    // ...except where the label says the second app has none.
    expect(outcome(1, "test")).toBe("right");
  });

  test("a second config init wrote for the other app is scored against that app", () => {
    const web = [
      "app:",
      "  name: web",
      "  path: apps/web",
      "  language: node",
      "  packageManager: pnpm",
      "  commands:",
      "    install: pnpm install",
      "    build: pnpm build",
      "  start: pnpm start",
    ].join("\n");
    const both = scoreRepository(label, [WRITTEN, web]);
    const of = (app: number, field: string) => both.fields.find((f) => f.app === app && f.field === field);
    expect(both.fields).toHaveLength(result.fields.length);
    expect(of(1, "build")?.outcome).toBe("right");
    expect(of(1, "start")?.outcome).toBe("right");
    // The first file still decides the branch and the first app.
    expect(of(-1, "defaultBranch")?.outcome).toBe(outcome(-1, "defaultBranch"));
    expect(of(0, "lint")?.outcome).toBe("right");
  });

  test("no shipgate.yml at all: everything with a value is missing", () => {
    const none = scoreRepository(label, undefined, "init failed");
    expect(none.error).toBe("init failed");
    expect(none.fields.find((f) => f.field === "language")?.outcome).toBe("missing");
  });

  test("accuracy per field, per ecosystem and overall", () => {
    const summary = summarize([result]);
    expect(summary.overall.total).toBe(result.fields.length);
    expect(summary.byEcosystem["node-pnpm"]!.total).toBe(result.fields.length);
    expect(summary.byField.port).toMatchObject({ missing: 2, total: 2 });
    const { strict, lenient } = accuracy(summary.overall);
    expect(lenient).toBeGreaterThan(strict);
    expect(formatSummary(summary)).toMatch(
      /by field[\s\S]*port[\s\S]*by ecosystem[\s\S]*node-pnpm[\s\S]*overall/,
    );
  });
});

describe("pairing apps", () => {
  test("by path, then by name, else the first label takes the first app", () => {
    const label = parseLabel(LABEL);
    expect(matchApps(label.apps, [{ path: "apps/web", name: undefined }])).toEqual([undefined, 0]);
    expect(matchApps(label.apps, [{ path: ".", name: "web" }])).toEqual([undefined, 0]);
    expect(matchApps(label.apps, [{ path: ".", name: "other" }])).toEqual([0, undefined]);
  });
});

describe("the committed corpus", () => {
  test("every label parses and matches its manifest entry", () => {
    const manifest = loadManifest(ROOT);
    const labels = loadLabels(ROOT);
    expect(manifest.repositories.length).toBeGreaterThanOrEqual(28);
    expect([...labels.keys()].sort()).toEqual(manifest.repositories.map((e) => e.id).sort());
    for (const entry of manifest.repositories) {
      const label = labels.get(entry.id)!;
      expect(label.commit, entry.id).toBe(entry.commit);
      expect(label.repo, entry.id).toBe(entry.repo);
      expect(label.ecosystem, entry.id).toBe(entry.ecosystem);
      expect(entry.paths.length, entry.id).toBeGreaterThan(0);
    }
  });

  test("the split puts every repository in dev or test, and test spans the ecosystems", () => {
    const manifest = loadManifest(ROOT);
    const split = loadSplit(ROOT, manifest);
    expect([...split.dev, ...split.test].sort()).toEqual(manifest.repositories.map((e) => e.id).sort());
    const ecosystemOf = new Map(manifest.repositories.map((e) => [e.id, e.ecosystem]));
    const held = new Set(split.test.map((id) => ecosystemOf.get(id)));
    const several = new Set(
      manifest.repositories
        .map((e) => e.ecosystem)
        .filter((eco, _i, all) => all.indexOf(eco) !== all.lastIndexOf(eco)),
    );
    for (const eco of several) expect(held.has(eco), eco).toBe(true);
  });
});
