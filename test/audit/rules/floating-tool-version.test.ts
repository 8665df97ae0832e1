import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "floating-tool-version";

const job = (...runs: string[]) =>
  `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${runs.map((r) => `      - run: ${r}\n`).join("")}`;

const reported = (...runs: string[]) =>
  findingsOf(ID, job(...runs)).map((f) => f.message.split(" fetches")[0]);

describe(ID, () => {
  test("go install …@latest, with build flags before the package too", () => {
    expect(
      reported("go install -tags 'postgres' github.com/golang-migrate/migrate/v4/cmd/migrate@latest"),
    ).toHaveLength(1);
    expect(reported("go install golang.org/x/tools/cmd/goimports@v0.24.0")).toEqual([]);
  });

  test("Helm's install script takes the newest release unless DESIRED_VERSION or --version names one", () => {
    const found = (...runs: string[]) => findingsOf(ID, job(...runs)).map((f) => f.region.startLine);
    const fetch =
      "curl -fsSL -o get_helm.sh https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3";
    expect(found(fetch, "chmod 700 get_helm.sh", "./get_helm.sh")).toEqual([9]);
    expect(
      found("curl -fsSL https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3 | bash"),
    ).toEqual([7]);
    expect(found(fetch, "./get_helm.sh --version v3.16.2")).toEqual([]);
    expect(
      found(
        "curl -sf https://raw.githubusercontent.com/helm/helm/HEAD/scripts/get-helm-3 | DESIRED_VERSION=v3.16.2 bash",
      ),
    ).toEqual([]);
  });

  test("npx and bunx fetch the newest release when the project's dependencies are not installed yet", () => {
    expect(reported("npx lockfile-lint --path package-lock.json", "npm ci")).toEqual(["npx lockfile-lint"]);
    expect(reported("npm ci", "npx tsc --noEmit")).toEqual([]);
    expect(reported("bun install", "bunx turbo build")).toEqual([]);
    expect(reported("npx --no-install eslint .")).toEqual([]);
  });

  test("dlx, uvx and pipx run always fetch: only an exact version, here or in a variable, pins them", () => {
    expect(reported("npm ci", "pnpm dlx prisma migrate deploy", "uvx ruff check", "pipx run build")).toEqual([
      "pnpm dlx prisma",
      "uvx ruff",
      "pipx run build",
    ]);
    expect(
      reported(
        "pnpm dlx prisma@5.22.0 migrate deploy",
        "uvx ruff@0.6.9 check",
        "uvx --from black==24.8 black .",
      ),
    ).toEqual([]);
    expect(reported("npx -y netlify-cli@${{ env.NETLIFY_VERSION }} deploy")).toEqual([]);
    expect(reported("npx -y netlify-cli@17 deploy")).toEqual(["npx netlify-cli@17, a range or tag,"]);
  });

  test("packages added for the job outside the lockfile, and vendored into a bundle with pip -t", () => {
    const installs = (run: string) => findingsOf(ID, job(run)).map((f) => f.message.split(" installs")[0]);
    expect(installs("npm install cypress")).toEqual(["the install of cypress"]);
    expect(installs("yarn add @actions/core -W")).toEqual(["the install of @actions/core"]);
    expect(installs("pip install pillow -t package/")).toEqual(["the install of pillow"]);
    expect(installs("pip install --target dist requests==2.32.3 six>=1.16")).toEqual([
      "the install of six>=1.16, a range or tag,",
    ]);
    // The project's own install, an exact version, a path: nothing floats.
    for (const run of [
      "npm install",
      "npm ci",
      "npm i cypress@13.6.0",
      "yarn add ./local-pkg",
      "pip install boto3",
    ])
      expect(installs(run), run).toEqual([]);
  });

  test("a version input given a bare major or a range, camelCase names included", () => {
    const text = (input: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: cloudflare/wrangler-action@v3\n        with:\n          ${input}\n`;
    expect(findingsOf(ID, text('wranglerVersion: "4"'))).toHaveLength(1);
    expect(findingsOf(ID, text('wranglerVersion: "4.20.0"'))).toEqual([]);
  });

  test("a global install before npx is reported once, at the install", () => {
    const found = findingsOf(ID, job("npm install -g @redocly/cli", "npx @redocly/cli build-docs api.yaml"));
    expect(found.map((f) => f.region.startLine)).toEqual([7]);
  });
});
