import { INSTALLS_DEPENDENCIES, jobScriptLinesByStep, scriptOffset } from "../classify.js";
import { memoByObject } from "../memo.js";
import type { Job, Step } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";

/**
 * Setup actions that install the newest release of their tool when no version is given, with
 * the input that pins it.
 */
const DEFAULTS_TO_LATEST: Record<string, string> = {
  "superfly/flyctl-actions/setup-flyctl": "version",
  "pulumi/actions": "pulumi-version",
  "hashicorp/setup-terraform": "terraform_version",
  "azure/setup-helm": "version",
  "azure/setup-kubectl": "version",
  "google-github-actions/setup-gcloud": "version",
  "depot/setup-action": "version",
  "aws-actions/setup-sam": "version",
  "imranismail/setup-kustomize": "kustomize-version",
  "aquasecurity/setup-trivy": "version",
};
/** A version input that floats: `latest`, or a range (`~1`, `1.x`, `^1.5`, `>= 1`, a bare major `4`). */
const FLOATING =
  /^\s*(latest|\*|v?\d+|~>?\s*v?\d+(\.\d+)?|\^\s*v?\d+|v?\d+(\.(x|\*))+|[<>]=?\s*v?\d[\w.]*)\s*$/i;
/** Inputs that name a tool version, by their name. */
const VERSION_INPUT = /(^|[-_])version$|[a-z]Version$/;
/** Language toolchains by channel are a note-level choice, not a floating deploy tool. */
const TOOLCHAIN_SETUP =
  /^actions\/setup-(node|python|go|java|dotnet)$|^dtolnay\/rust-toolchain$|^ruby\/setup-ruby$/i;

/** Commands that install a tool at whatever version is newest. */
const FLOATING_COMMANDS: Array<{
  pattern: RegExp;
  what: (m: RegExpExecArray) => string;
  label: string;
  /** Whether the label is followed by what was installed. */
  named?: boolean;
  /** The pattern's first group lists packages, each pinned or not by this registry's syntax. */
  packages?: "npm" | "pip";
  /** Helm's installer: pinned by DESIRED_VERSION in the step's, job's or workflow's env. */
  helm?: boolean;
}> = [
  {
    // npm i -g pkg (no @version), yarn global add pkg, pnpm add -g pkg.
    pattern:
      /\b(?:npm\s+(?:install|i|add)\s+(?:--?[\w-]+\s+)*(?:-g|--global)|yarn\s+global\s+add|pnpm\s+(?:add|install)\s+(?:--?[\w-]+\s+)*(?:-g|--global))((?:\s+(?:--?[\w-]+|@?[\w./-]+(?:@[^\s@]*)?))+)/,
    what: () => "",
    label: "the global install of",
    packages: "npm",
  },
  {
    // npm install cypress, yarn add @actions/core -W: a package added for the job, outside the lockfile.
    pattern:
      /\b(?:npm\s+(?:install|i|add)|yarn\s+add|pnpm\s+add|bun\s+add)(?![^\n|;&]*\s(?:-g|--global)\b)((?:\s+(?:--?[\w-]+|@?[\w./-]+(?:@[^\s@]*)?))+)/,
    what: () => "",
    label: "the install of",
    packages: "npm",
  },
  {
    // pip install -t package/ pillow: dependencies vendored into a deploy bundle (a Lambda zip).
    pattern:
      /\bpip3?\s+install\b(?=[^\n|;&]*\s(?:-t|--target)\b)((?:\s+(?:--?[\w-]+(?:=\S+)?|[\w.[\]-]+(?:[=<>~!]=?[^\s;&|]*)?))+)/,
    what: () => "",
    label: "the install of",
    packages: "pip",
  },
  {
    pattern: /\bpipx\s+install\s+(?:--?[\w-]+\s+)*([\w.[\]-]+)(?![\w.[\]-]*\s*==)(?=\s|$)/,
    what: (m) => m[1]!,
    label: "pipx install",
    named: true,
  },
  {
    // Flags may come first: go install -tags 'postgres' …/cmd/migrate@latest.
    pattern: /\bgo\s+install\b[^\n|;&]*?\s(\S+)@latest\b/,
    what: (m) => `${m[1]}@latest`,
    label: "go install",
    named: true,
  },
  {
    pattern: /https?:\/\/\S+\/releases\/latest\/download\/\S+/,
    what: (m) => m[0],
    label: "a releases/latest/download URL",
  },
  {
    // Helm's installer takes the newest release unless DESIRED_VERSION or --version names one.
    pattern:
      /(?:^|[;&|]\s*)(?:sudo\s+)?(?:(?:ba)?sh\s+)?(?:\.\/|\S*\/)?get_helm\.sh(?=\s|$)(?![^\n|;&]*--version)|get-helm-3\S*\s*\|\s*(?:sudo\s+)?(?:ba)?sh\b/,
    what: (m) => m[0].replace(/^[;&|\s]+/, ""),
    label: "Helm's install script without DESIRED_VERSION",
    helm: true,
  },
  {
    pattern: /\bgcloud\s+components\s+update\b/,
    what: () => "gcloud components update",
    label: "gcloud components update",
  },
];

export const floatingToolVersion = defineRule({
  meta: {
    id: "floating-tool-version",
    name: "Tool installed at whatever version is newest",
    severity: "warning",
    confidence: "medium",
    category: "reliability",
    description:
      "Reports tools installed without a pinned version: setup actions given `latest`, a range (a bare major included) or no version where they default to the newest release, `npm install -g` and `pipx install` without a version, packages added for the job (`npm install cypress`, `yarn add pkg`, `pip install -t bundle/ pkg`) without one, packages fetched to run (`npx` before the project's dependencies are installed, `pnpm dlx`, `yarn dlx`, `bunx`, `uvx`, `pipx run`) without one, `go install …@latest`, `releases/latest/download` URLs, Helm's install script without `DESIRED_VERSION` and `gcloud components update`.",
    fixable: false,
  },
  step(step, job, ctx) {
    if (step.uses?.kind === "action") reportAction(step, ctx);
    if (!step.run) return;
    const text = ctx.workflow.source.text;
    // Before the project's dependencies are installed, npx has nothing local to run: it fetches.
    const installed = firstInstall(job) <= step.index;
    const helmPinned =
      /\bDESIRED_VERSION=/.test(step.run.value) ||
      [step.env, job.env, ctx.workflow.env].some((env) => env.has("DESIRED_VERSION"));
    for (const line of jobScriptLinesByStep(job, text).get(step) ?? []) {
      if (/^\s*#/.test(line.text)) continue;
      const found: Array<{ what: string; label: string; offset: number; helm?: boolean }> = [
        ...floatingInstalls(line.text),
        ...fetchedRuns(line.text, installed),
      ];
      for (const { what, label, offset, helm } of found) {
        if (helm && helmPinned) continue;
        const at = scriptOffset(text, line, what);
        ctx.report({
          node: step.run.node,
          region:
            at === undefined
              ? ctx.workflow.source.regionIn(step.run.node, what)
              : ctx.workflow.source.regionOf(at, at + what.length),
          key: `${job.id}:${step.id ?? step.name ?? step.index}:${what}:${offset}`,
          message: `${label} installs whatever version is newest when the job runs: the same commit builds or deploys with a different tool tomorrow, and a broken or compromised release reaches the pipeline the day it is published. Pin the version (pkg@1.2.3, pkg==1.2.3, a release tag in the URL)`,
        });
      }
    }
  },
});

function reportAction(step: Step, ctx: RuleContext) {
  const uses = step.uses!;
  const path = uses.raw.split("@")[0]!.toLowerCase();
  for (const [name, value] of step.with) {
    if (!VERSION_INPUT.test(name) || !FLOATING.test(value.value)) continue;
    if (TOOLCHAIN_SETUP.test(path) && !/latest/i.test(value.value)) continue;
    ctx.report({
      node: value.node,
      key: `${path}:${name}`,
      message: `${path} is given ${name}: ${value.value.trim()}, so it installs whatever release is newest${/latest|\*/i.test(value.value) ? "" : " in that range"} when the job runs: pin an exact version so the same commit runs the same tool`,
    });
  }
  const input = DEFAULTS_TO_LATEST[path];
  if (input && !step.with.has(input)) {
    ctx.report({
      node: uses.node,
      key: `${path}:default`,
      message: `${path} without ${input} installs the newest release of its tool every run: a new major version or a broken release changes the deploy with no commit. Set ${input} to an exact version`,
    });
  }
}

/** The index of the job's first step that installs the project's dependencies (Infinity if none). */
const firstInstall = memoByObject(
  (job: Job): number => job.steps.find(installsDependencies)?.index ?? Number.POSITIVE_INFINITY,
);

/**
 * A step that installs the project's dependencies, so that npx runs their binaries (or a
 * global package, itself reported when it floats).
 */
function installsDependencies(step: Step): boolean {
  // A local action (`./.github/actions/setup`) usually installs them; an unread one is assumed to.
  if (step.uses?.kind === "local") return !step.localSteps || step.localSteps.some(installsDependencies);
  if (step.uses?.repository && /^bahmutov\/npm-install$/i.test(step.uses.repository)) return true;
  return Boolean(
    step.run && (INSTALLS_DEPENDENCIES.test(step.run.value) || MAKE_INSTALL.test(step.run.value)),
  );
}
/** A Makefile target that sets the project up (`make install`, `make deps`, `make setup-js`). */
const MAKE_INSTALL = /\bmake\s+(install|deps|setup)\S*/;

/**
 * Package runners that fetch what they run: `pnpm dlx`, `yarn dlx`, `uvx` and `pipx run` always;
 * `npx` and `bunx` when the project's dependencies are not installed yet (or do not hold it).
 */
const FETCHING_RUNNER =
  /(?:^|[\s;&|(])(npx|pnpm\s+dlx|yarn\s+dlx|bunx|uvx|pipx\s+run)((?:\s+--?[\w-]+(?:=\S+)?)*)\s+([@\w][\w./@=-]*)/g;

/** `npx lockfile-lint …` before any install, `uvx ruff` → the runs that fetch a floating version. */
export function fetchedRuns(
  line: string,
  installed: boolean,
): Array<{ what: string; label: string; offset: number }> {
  const out: Array<{ what: string; label: string; offset: number }> = [];
  for (const m of line.matchAll(FETCHING_RUNNER)) {
    const [, runner, flags = "", name] = m;
    // npx and bunx run the project's own binary when its dependencies are installed.
    if (/^(npx|bunx)$/.test(runner!) && (installed || /--no-install|--no\b|--offline/.test(flags))) continue;
    // A version from a variable (`netlify-cli@${{ env.NETLIFY_VERSION }}`) is pinned where it is set.
    if (/^[@$]?\$/.test(line.slice((m.index ?? 0) + m[0].length))) continue;
    // The package named by an option (`npx -p pkg@1.2.3 cmd`, `uvx --from pkg==1.2 cmd`) is judged instead.
    const from = /(?:-p|--package|--from)[= ]([@\w][\w./@=-]*)/.exec(m[0])?.[1] ?? name!;
    const pin = /^@?[^@=\s]+(@|==)(\S+)$/.exec(from);
    const version = pin?.[2];
    if (
      version !== undefined &&
      (EXACT_VERSION.test(version) || (pin![1] === "==" && /^\d+(\.\d+)+$/.test(version)))
    )
      continue;
    out.push({
      what: m[0].trim(),
      label: `${runner} ${from}${version === undefined ? "" : ", a range or tag,"} fetches the package and`,
      offset: (m.index ?? 0) + m[0].indexOf(runner!),
    });
  }
  return out;
}

/**
 * The version a package word asks for: npm's `pkg@1.2.3` (`pkg@2`, `pkg@^2.1` and `pkg@latest`
 * are ranges or tags), pip's `pkg==1.2.3` (`>=`, `~=` are ranges); undefined when none.
 */
function packageVersion(word: string, registry: "npm" | "pip"): string | undefined {
  if (registry === "npm") return /^@?[^@\s]+@(\S+)$/.exec(word)?.[1];
  const spec = /^[\w.[\]-]+(==|[<>~!]=?)(\S+)$/.exec(word);
  return spec ? (spec[1] === "==" ? spec[2] : `${spec[1]}${spec[2]}`) : undefined;
}

/** An exact npm version: 1.2.3, with an optional pre-release or build (1.2.3-rc.1). */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/;

/** `npm i -g a b@1.2.3 c@2` → [a, c@2]; each floating install on a line, with where it starts. */
export function floatingInstalls(
  line: string,
): Array<{ what: string; label: string; offset: number; helm?: boolean }> {
  const out: Array<{ what: string; label: string; offset: number; helm?: boolean }> = [];
  for (const { pattern, what, label, named, packages, helm } of FLOATING_COMMANDS) {
    const m = pattern.exec(line);
    if (!m) continue;
    if (packages) {
      const words = m[1]!.trim().split(/\s+/);
      for (const [i, word] of words.entries()) {
        if (word.startsWith("-") || /^(\.|\/|file:|git\+|https?:|\$)/.test(word)) continue;
        // The value of an option (`--target package/`, `-w api`), not a package.
        if (/^-(t|w|-target|-workspace|-prefix|-filter)$/.test(words[i - 1] ?? "")) continue;
        const version = packageVersion(word, packages);
        if (version !== undefined && EXACT_VERSION.test(version)) continue;
        out.push({
          what: word,
          label: `${label} ${word}${version === undefined ? "" : ", a range or tag,"}`,
          offset: m.index + m[0].indexOf(word),
        });
      }
      continue;
    }
    const text = what(m);
    out.push({
      what: text,
      label: named ? `${label} ${text}` : label,
      offset: m.index + Math.max(0, m[0].indexOf(text)),
      ...(helm ? { helm } : {}),
    });
  }
  return out;
}
