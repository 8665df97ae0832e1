import { describe, expect, test } from "vitest";
import { installProblem } from "../../../src/audit/rules/non-deterministic-install.js";
import { findingsOf } from "../harness.js";

const ID = "non-deterministic-install";
const none = () => undefined;

const step = (run: string, env = "") => `on: push
jobs:
  build:
    runs-on: ubuntu-latest${env}
    steps:
      - run: ${run}
`;

describe(ID, () => {
  test("a whole tree resolved against no lockfile is an error; named pip packages floating, a warning", () => {
    expect(findingsOf(ID, step("npm install")).map((f) => f.severity)).toEqual(["error"]);
    expect(findingsOf(ID, step("python3 -m pip install coveralls")).map((f) => f.severity)).toEqual([
      "warning",
    ]);
  });

  test.each([
    "npm install",
    "npm i --no-audit",
    "npm add",
    "npm --prefix web install",
    "sudo npm install",
    "yarn",
    "yarn --prefer-offline",
    "yarn install --pure-lockfile",
    "yarn --cwd web install",
    "pnpm i --no-frozen-lockfile",
    "pnpm --filter web install --frozen-lockfile=false",
    "pip install requests",
    "pip3 install 'django>=4,<5'",
    "python3 -m pip install -U ansible",
    "pip install --index-url https://pypi.example.com/simple tox",
  ])("reported: %s", (command) => {
    expect(installProblem(command, none)).toBeDefined();
  });

  test.each([
    "npm ci",
    "npm install -g vercel",
    "npm install --global pnpm@9",
    "npm i -D typescript",
    "npm install ./packages/tool",
    "npm run install:all",
    "yarn install --frozen-lockfile",
    "yarn --immutable",
    "yarn build",
    "yarn global add serve",
    "yarn --version",
    "pnpm install --frozen-lockfile",
    // GitHub's runners set CI=true: pnpm freezes the lockfile by itself.
    "pnpm install",
    "pnpm --filter web install",
    "pnpm add -g turbo",
    "pip install -r requirements.txt",
    "pip install --requirement=requirements/ci.txt",
    "pip install -e .",
    "pip install .",
    "pip install --upgrade pip setuptools wheel",
    "pip install black==24.4.2 'ruff[format]==0.5.0'",
    "pip install dist/*.whl",
    "pip install git+https://github.com/org/lib@v1.2.3",
    "pip install $EXTRA_PACKAGES",
    "pip install -c constraints.txt celery",
    "pipx install poetry",
    "uv pip install httpx",
    "pip download requests",
  ])("not reported: %s", (command) => {
    expect(installProblem(command, none)).toBeUndefined();
  });

  test("YARN_ENABLE_IMMUTABLE_INSTALLS in env makes yarn install immutable", () => {
    expect(findingsOf(ID, step("yarn install"))).toHaveLength(1);
    const env = `\n    env:\n      YARN_ENABLE_IMMUTABLE_INSTALLS: "true"`;
    expect(findingsOf(ID, step("yarn install", env))).toEqual([]);
  });

  test("an expression is one word: its || is not a command separator", () => {
    expect(findingsOf(ID, step("pip install ${{ matrix.package || 'x' }}"))).toEqual([]);
    expect(findingsOf(ID, step("echo ${{ github.sha || 'npm install' }}"))).toEqual([]);
  });

  test("an expression that chooses the subcommand is read for each choice", () => {
    const run = "npm ${{ github.ref == 'refs/heads/main' && 'ci' || 'install' }} --ignore-scripts";
    const [finding, ...rest] = findingsOf(ID, step(run));
    expect(rest).toEqual([]);
    expect(finding!.message).toMatch(/^npm install resolves versions again/);
    expect(finding!.fix).toBeUndefined();
    expect(findingsOf(ID, step("npm ${{ inputs.fast && 'ci' || 'ci' }}"))).toEqual([]);
  });

  test("a composite action's installs are read too", () => {
    const action =
      "name: deps\nruns:\n  using: composite\n  steps:\n    - run: yarn install\n      shell: bash\n";
    expect(findingsOf(ID, action, "../actions/deps/action.yml").map((f) => f.region.startLine)).toEqual([5]);
  });

  test("the fix is offered only for a step that runs npm install and nothing else", () => {
    const fixOf = (run: string) => findingsOf(ID, step(run))[0]?.fix;
    expect(fixOf("npm install")?.safe).toBe(true);
    expect(fixOf("npm i --omit=dev --ignore-scripts")?.safe).toBe(true);
    expect(fixOf("npm install --prefix web")).toBeUndefined();
    expect(fixOf("npm install && npm test")).toBeUndefined();
    expect(fixOf("npm add")).toBeUndefined();
    expect(fixOf("yarn install")).toBeUndefined();
  });

  test("each occurrence points at its own line", () => {
    const text = step("|\n          npm install\n          npm run build\n          npm install");
    expect(findingsOf(ID, text).map((f) => f.region.startLine)).toEqual([7, 9]);
  });
});
