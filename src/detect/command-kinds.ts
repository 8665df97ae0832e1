import { posix } from "node:path";
import type { Language } from "../config/schema.js";

/**
 * What a shell command found in CI, a Makefile or a package script is for: installing
 * dependencies, linting, type checking, testing or building — or none of these (echo, cd,
 * git, docker, a deploy). Judged from the words of the command alone, so the same rules serve
 * every source.
 */

export type CommandKind = "install" | "lint" | "typecheck" | "test" | "build";
export const COMMAND_KINDS: readonly CommandKind[] = ["install", "lint", "typecheck", "test", "build"];

/** Commands that prepare, inspect or ship, never one of the five jobs. */
const NOT_A_CHECK =
  /^(echo|printf|cat|ls|mkdir|cp|mv|rm|ln|touch|chmod|chown|export|set|unset|source|\.|exit|sleep|curl|wget|git|gh|docker|docker-compose|kubectl|helm|aws|gcloud|az|sed|awk|grep|tee|tar|unzip|test|\[|if|then|else|elif|fi|for|do|done|while|case|esac|trap|wait|cd|pushd|popd|psql|createdb|dropdb|mysql|mongosh|redis-cli|apt|apt-get|apk|brew|yum|dnf|pipx|corepack|nvm|rustup|sdk|eval|which|command|true|false|:|node -e|python3? -c|npx (--yes )?(playwright|cypress) install|codecov|bash <\(|sh -c)\b/;

const INSTALL =
  /^((npm|pnpm|bun) (ci|install|i)(?![\w:-])(?!.* (-g|--global)\b)|yarn( install\b|$)|(pip3?|python3? -m pip) install +(-r|--requirement|-e|\.|--editable)|poetry install\b|uv sync\b|uv pip install\b|pipenv (install|sync)\b|pdm (install|sync)\b|go mod download\b|cargo fetch\b|bundle install\b|composer install\b)/;

const TYPECHECK =
  /(^|[\s:/_-])(tsc|vue-tsc|type[_-]?check|typecheck|types?[:_]check|check[:_-]types|lint[:_-]types|mypy|pyright|pyrefly|basedpyright|svelte-check)(?![a-zA-Z0-9])|^cargo check\b|^(npm run|yarn|pnpm( run)?|bun run) (types|check:types|tsc)$/;

const LINT =
  /(^|[\s:/-])(?<!--)(lint|lint[:_][\w:-]+|eslint|oxlint|ruff( check)?|flake8|pylint|golangci-lint|clippy|stylelint|ktlint|rubocop|checkstyle\w*|spotless:check|spotlessCheck)(?![a-zA-Z0-9])|^go vet\b|^(pre-commit|prek) run\b|^biome (check|lint|ci)\b|^black --check\b|^cargo fmt .*--check|^gofmt -[ld]/;

const BROWSER = /\b(playwright|cypress|puppeteer|webdriver|selenium|testcafe|nightwatch|detox)\b/;

const TEST =
  /(^|[\s:/_-])(test|tests|testsuite|spec|specs)([\s:_-]|$)|\bpytest\b|^go test\b|^cargo (test|nextest)\b|\b(jest|vitest|mocha|ava|tap|jasmine|karma|rspec|phpunit|tox|nox)\b|manage\.py test\b|\bunittest\b|^(\.\/)?mvnw? .*\b(test|verify|install)\b|^(\.\/)?gradlew? .*\b(test|check)\b/;

const BUILD =
  /(^|[\s:/_-])(build|build:[\w:-]+|dist|compile|assemble|bundle)([\s:_-]|$)|^go build\b|^cargo build\b|^(\.\/)?mvnw? .*\bpackage\b|^(\.\/)?gradlew? .*\b(build|assemble|bootJar|jar)\b|^tsc -b\b/;

/** `TZ=UTC yarn test` → `yarn test`; `sudo`, `time` and leading variables say nothing of purpose. */
export function commandBody(command: string): string {
  return command
    .trim()
    .replace(/^((sudo|time|env|exec|nohup)\s+)+/, "")
    .replace(/^([A-Za-z_][A-Za-z0-9_]*=("[^"]*"|'[^']*'|[^\s"']\S*|)\s+)+/, "");
}

/** The job a command does, or null when it does none of the five. */
export function commandKind(command: string): CommandKind | null {
  const body = commandBody(command);
  // Assignments (`a=1`, `list+=(x)`, `a[0]=x`), option lines of a continued command and subshell
  // fragments run nothing of their own.
  if (!body || NOT_A_CHECK.test(body) || /^([A-Za-z_]\w*(\[[^\]]*\])?\+?=|-|\)|\(|\{|\})/.test(body))
    return null;
  // Installing a linter's or the docs' own requirements is not installing the app.
  if (INSTALL.test(body) && /\s-r\s*\S*(lint|docs?|format|typing|pre-commit)\S*\.(txt|in)\b/.test(body))
    return null;
  if (INSTALL.test(body)) return "install";
  if (/^(npm|pnpm|yarn|bun|pip3?|pipx|cargo|go|python3? -m pip) (install|add)\b/.test(body)) return null;
  // Preparing a database or waiting for one is part of a test run, not the tests.
  if (/(^|[\s:])(db|database|migrate|migrations?|seed|restore|wait-on|wait-for\S*)(:|\s|$)/.test(body))
    return null;
  // A make target that is a file (`make bin/golangci-lint`) builds a tool, it does not run it.
  if (/^make\s+(-\S+\s+)*[\w.-]*\/\S*$/.test(body)) return null;
  // The project's own program run from source (`go run ./cmd/cli lint`, `go run <module>/cmd/cli`)
  // does what that program does, whatever its arguments are called.
  if (/^go run (\.\/|\S+\/cmd\/)/.test(body)) return null;
  // Maven and Gradle say in one command whether tests run: `package -DskipTests` builds.
  if (/^(\.\/)?(mvnw?|gradlew?)\b/.test(body)) return jvmKind(body);
  // A script run by its interpreter is a test run when its name says it runs tests
  // (`run_tests.sh`, `test_api.py`) or its arguments do (`manage.py test`), not when "test" is
  // one word of another job's name (`update_performance_test_counts.py`).
  const script = /^(?:python3?|node|bash|sh|ruby|perl)\s+(\S+\.(?:py|js|mjs|sh|rb|pl))\b/.exec(body)?.[1];
  if (script && !TEST.test(body.replace(script, "")) && TEST.test(body)) {
    const name = posix.basename(script).replace(/\.\w+$/, "");
    if (!/^(run[-_]?)?(unit[-_]?|integration[-_]?)?tests?([-_]|$)|[-_](unit)?tests?$/i.test(name))
      return null;
  }
  if (TYPECHECK.test(body)) return "typecheck";
  if (LINT.test(body)) return "lint";
  if (TEST.test(body)) return "test";
  if (BUILD.test(body)) return "build";
  if (isFormatCheck(body)) return "lint";
  return null;
}

function jvmKind(body: string): CommandKind | null {
  if (/spotless:check|spotlessCheck|checkstyle|pmd|spotbugs|ktlint|detekt|license:check|rat:check/.test(body))
    return "lint";
  const skipsTests = /-DskipTests|-Dmaven\.test\.skip=true|-x test\b/.test(body);
  // A phase, not a plugin's goal of the same name (`license:check` checks headers).
  if (!skipsTests && /(?<![:\w-])(test|verify|install|check)\b/.test(body)) return "test";
  if (!skipsTests && /\bpackage\b/.test(body) && /\bjacoco\b/.test(body)) return "test";
  if (/\b(package|build|assemble|bootJar|jar|install)\b/.test(body)) return "build";
  if (/\bdependency:(go-offline|resolve)\b|\bdependencies\b/.test(body)) return "install";
  return null;
}

/** Browser end-to-end suites need a browser, a running app and seeded data: not unit tests. */
export function isBrowserSuite(text: string): boolean {
  return BROWSER.test(text);
}

/** `e2e`, `end-to-end`: named as a suite against a running system. */
export function isEndToEnd(text: string): boolean {
  return /\be2e\b|[:_-]e2e|end-to-end|\bintegration([-_:]tests?)?\b|[:_-]integration\b/.test(text);
}

/** Formatting checks lint nothing else; a linter, when there is one, is the better lint job. */
export function isFormatCheck(command: string): boolean {
  return /\b(format:check|fmt:check|prettier|black --check|cargo fmt|gofmt|ruff format|spotless)\b/.test(
    commandBody(command),
  );
}

/** Tools that belong to one ecosystem: a command run with one is that ecosystem's. */
const TOOL_LANGUAGES: ReadonlyArray<readonly [RegExp, Language, string?]> = [
  [/^(npm|npx)\b/, "node", "npm"],
  [/^(pnpm|pnpx)\b/, "node", "pnpm"],
  [/^yarn\b/, "node", "yarn"],
  [/^(bun|bunx)\b/, "node", "bun"],
  [
    /^(node|tsc|eslint|oxlint|biome|prettier|jest|vitest|mocha|turbo|nx|vite|next|playwright|cypress)\b/,
    "node",
  ],
  [/^uv\b/, "python", "uv"],
  [/^poetry\b/, "python", "poetry"],
  [
    /^(pip3?|pipenv|pdm|hatch|python3?|pytest|ruff|mypy|flake8|pylint|black|isort|tox|nox|coverage|django-admin|gunicorn|uvicorn)\b/,
    "python",
  ],
  [/^(go|golangci-lint|gofmt|staticcheck)\b/, "go"],
  [/^(cargo|rustup|rustc|cross)\b/, "rust"],
  [/^(\.\/)?mvnw?\b/, "java", "maven"],
  [/^(\.\/)?gradlew?\b/, "java", "gradle"],
  [/^(java|kotlinc)\b/, "java"],
];

/** Build systems of their own: a job that runs them does not run the app's own toolchain. */
const FOREIGN_BUILDS = /^(nix|nix-build|bazel|bazelisk|earthly|dagger|buck2?|pants)\b/;

/**
 * Whether a command suits an app of this language and package manager: a command of another
 * ecosystem (a Go repository's `yarn lint` for its front end, a Gradle build's stray `./mvnw`)
 * is not the app's. Task runners and scripts suit every app.
 */
export function suitsApp(
  command: string,
  app: { language: Language; packageManager: string | null },
): boolean {
  const body = commandBody(command).replace(/^python3? -m (?=pytest|mypy|ruff|pip)/, "");
  if (FOREIGN_BUILDS.test(body)) return false;
  const tool = TOOL_LANGUAGES.find(([pattern]) => pattern.test(body));
  if (!tool) return true;
  if (tool[1] !== app.language) return false;
  return (
    tool[2] === undefined ||
    app.packageManager === null ||
    tool[2] === app.packageManager ||
    tool[1] === "python"
  );
}
