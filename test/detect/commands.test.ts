import { describe, expect, test } from "vitest";
import { detectFiles, json } from "./repo.js";

const workflow = (jobs: Record<string, string[]>) =>
  [
    "on: [push, pull_request]",
    "jobs:",
    ...Object.entries(jobs).flatMap(([id, runs]) => [
      `  ${id}:`,
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "      - uses: actions/setup-node@v4",
      ...runs.map((run) => `      - run: ${run}`),
    ]),
  ].join("\n");

const PKG = {
  "package.json": json({
    name: "orders-api",
    scripts: {
      lint: "eslint .",
      test: "jest",
      "test:ci": "jest --ci --coverage",
      "test:e2e": "playwright test",
    },
    devDependencies: { jest: "29", "@playwright/test": "1" },
  }),
  "package-lock.json": "{}",
};

describe("commands: what the project already runs before conventions", () => {
  test("a test job of the existing CI wins over the package script, and says where it came from", async () => {
    const d = await detectFiles({
      ...PKG,
      ".github/workflows/ci.yml": workflow({ test: ["npm ci", "npm run test:ci"] }),
    });
    expect(d.commands.test).toBe("npm run test:ci");
    expect(d.sources.test).toBe(".github/workflows/ci.yml (job test)");
    expect(d.unsure.test).toBeUndefined();
  });

  test("a browser suite in CI is never the test job", async () => {
    const d = await detectFiles({
      ...PKG,
      ".github/workflows/e2e.yml": workflow({ e2e: ["npm ci", "npx playwright test"] }),
    });
    // The CI's only test-like job drives a browser; the package's CI script is the unit suite.
    expect(d.commands.test).toBe("npm run test:ci");
    expect(d.sources.test).toBe('package.json script "test:ci"');
  });

  test("a package script beats a Makefile target that wraps it", async () => {
    const d = await detectFiles({ ...PKG, Makefile: "lint:\n\tnpx eslint . --fix\n" });
    expect(d.commands.lint).toBe("npm run lint");
    expect(d.sources.lint).toBe('package.json script "lint"');
  });

  test("Makefile targets are the project's own commands where the manifest has none", async () => {
    const d = await detectFiles({
      "go.mod": "module example.com/orders\n\ngo 1.22\n",
      Makefile: ".PHONY: test lint\ntest:\n\tgo test -race ./...\nlint:\n\tgolangci-lint run\n",
    });
    expect(d.commands).toMatchObject({ test: "make test", lint: "make lint" });
    expect(d.sources.test).toBe("Makefile");
  });

  test("a script whose name only mentions tests is not the test run; manage.py test still is", async () => {
    const ci = (run: string) => ({
      "requirements.txt": "Django==5.0\n",
      "manage.py": "#!/usr/bin/env python\n",
      ".github/workflows/ci.yml": `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n`,
    });
    const counts = await detectFiles(ci("python3 scripts/update_performance_test_counts.py"));
    expect(counts.commands.test).not.toBe("python3 scripts/update_performance_test_counts.py");
    expect((await detectFiles(ci("python manage.py test --parallel"))).commands.test).toBe(
      "python manage.py test --parallel",
    );
  });

  test("installing a linter's requirements is not the app's install", async () => {
    const d = await detectFiles({
      "requirements.txt": "Django==5.0\n",
      "requirements-lint.txt": "ruff==0.6.0\n",
      "manage.py": "#!/usr/bin/env python\n",
      ".github/workflows/lint.yml":
        "on: push\njobs:\n  ruff:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip install -r requirements-lint.txt\n      - run: ruff check .\n",
    });
    expect(d.commands.install).not.toBe("pip install -r requirements-lint.txt");
  });

  /** A CI workflow whose lint job runs these scripts in order. */
  const lintJob = (...runs: string[]) =>
    [
      "on: push",
      "jobs:",
      "  lint:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      ...runs.map((r) => `      - run: ${r}`),
    ].join("\n");

  test("the project's own program run from source is not a linter, whatever its argument", async () => {
    const d = await detectFiles({
      "go.mod": "module example.com/pipeline\n\ngo 1.22\n",
      ".github/workflows/ci.yml": lintJob(
        "go run example.com/pipeline/cmd/cli lint .pipeline/",
        "golangci-lint run",
      ),
    });
    expect(d.commands.lint).toBe("golangci-lint run");
  });

  test("a make target that is a file builds a tool; the target that runs it is the lint", async () => {
    const d = await detectFiles({
      "go.mod": "module example.com/idp\n\ngo 1.25\n",
      Makefile:
        "lint:\n\tgolangci-lint run\nbin/golangci-lint:\n\tcurl -sSfL https://example.com/install.sh | sh\n",
      ".github/workflows/ci.yml": lintJob("make bin/golangci-lint", "make lint"),
    });
    expect(d.commands.lint).toBe("make lint");
  });

  test("an install target that needs the build installs what was built, not the dependencies", async () => {
    const d = await detectFiles({
      "go.mod": "module example.com/blog\n\ngo 1.22\n",
      Makefile:
        "build: deps\n\tgo build ./cmd/blog\ndeps:\n\tgo get -d ./...\ninstall: build\n\t./blog --init-db\n",
    });
    expect(d.commands.install).toBe("make deps");
  });

  test("a package script that runs tsc --noEmit is the type check, whatever its name", async () => {
    const d = await detectFiles({
      "package.json": json({ scripts: { "check-ts": "tsc --noEmit", lint: "eslint ." } }),
      "package-lock.json": "{}",
    });
    expect(d.commands.typecheck).toBe("npm run check-ts");
    expect(d.sources.typecheck).toBe('package.json script "check-ts"');
  });

  test("Django's manage.py test is recognised", async () => {
    const d = await detectFiles({
      "requirements.txt": "Django==5.0\n",
      "manage.py": "#!/usr/bin/env python\nimport django\n",
    });
    expect(d.commands.test).toMatch(/manage\.py test/);
  });

  test("a convention nobody wrote down is marked for checking", async () => {
    const d = await detectFiles({ "go.mod": "module example.com/orders\n\ngo 1.22\n" });
    expect(d.commands.test).toMatch(/^go test/);
    expect(d.unsure.test).toMatch(/nothing in the repository runs it/);
  });

  test("a Makefile target that only runs other jobs' targets is not the test job", async () => {
    const d = await detectFiles({
      "pyproject.toml": '[project]\nname = "api"\n[dependency-groups]\ndev = ["pytest"]\n',
      "uv.lock": "",
      Makefile:
        "test: backend-unit-tests frontend-unit-tests lint\n\nbackend-unit-tests:\n\tdocker compose run server tests\n",
    });
    expect(d.commands.test).toMatch(/^uv run pytest/);
    const plain = await detectFiles({
      "go.mod": "module example.com/orders\n",
      Makefile:
        "test: unit integration\nunit:\n\tgo test ./...\nintegration:\n\tgo test -tags=integration ./...\n",
    });
    expect(plain.commands.test).toBe("make test");
  });

  test("a Maven plugin's check goal is a lint, the verify phase the tests", async () => {
    const d = await detectFiles({
      "pom.xml": "<project><artifactId>svc</artifactId></project>",
      ".github/workflows/ci.yml": [
        "on: [push, pull_request]",
        "jobs:",
        "  verify:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - run: mvn license:check -PcheckLicense --batch-mode",
        "      - run: mvn clean verify --batch-mode",
      ].join("\n"),
    });
    expect(d.commands).toMatchObject({
      lint: "mvn license:check -PcheckLicense --batch-mode",
      test: "mvn clean verify --batch-mode",
    });
  });

  test("a Makefile whose build also builds the UI: the server side's own target", async () => {
    const d = await detectFiles({
      "go.mod": "module example.com/board\n\ngo 1.25\n",
      Makefile:
        "build: build-server build-ui\n\nbuild-server:\n\tgo build -o board .\n\nbuild-ui:\n\tnpx webpack\n",
    });
    expect(d.commands.build).toBe("make build-server");
  });

  test("configuration CI copies from the project's sample becomes a set-up step, where the app's commands run", async () => {
    const d = await detectFiles({
      ...PKG,
      ".github/workflows/ci.yml": workflow({
        test: ["cp .env.example .env", "cd web && cp .env.sample .env", "npm ci", "npm run test:ci"],
      }),
    });
    expect(d.setup).toContain("cp .env.example .env");
    expect(d.setup).not.toContain("cp .env.sample .env");
    expect(d.sources.setup).toContain("copies configuration from the project's sample");
  });
});
