import { ciPreparation } from "./ci-commands.js";
import type { CiJob } from "./ci-jobs.js";
import type { EcosystemDetection } from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";

/** Set-up commands CI runs before install, and whether each group was read or inferred. */
export interface SetupFacts {
  commands: string[];
  /** Why each command is there, for the comment above `setup:` in shipgate.yml. */
  reasons: string[];
  /** Inferred rather than copied from CI or the manifest: a person should check it. */
  unsure: string | null;
  submodules: { value: boolean; source: string; sure: boolean };
}

/** Python packages that build from source against a system library on a fresh runner. */
const PYTHON_SYSTEM_LIBRARIES: Readonly<Record<string, string[]>> = {
  psycopg2: ["libpq-dev"],
  mysqlclient: ["default-libmysqlclient-dev", "pkg-config"],
  pycurl: ["libcurl4-openssl-dev", "libssl-dev"],
  "python-ldap": ["libldap2-dev", "libsasl2-dev"],
  pycairo: ["libcairo2-dev", "pkg-config"],
  pygobject: ["libgirepository1.0-dev", "libcairo2-dev"],
  xmlsec: ["libxmlsec1-dev", "pkg-config"],
};
/** Rust crates that link a system library. */
const RUST_SYSTEM_LIBRARIES: Readonly<Record<string, string[]>> = {
  "pq-sys": ["libpq-dev"],
  "openssl-sys": ["libssl-dev", "pkg-config"],
  openssl: ["libssl-dev", "pkg-config"],
};

/** Tools a command needs that no runner has, and how to install each. */
const TOOLS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(pre-commit) run\b/, "pip install pre-commit"],
  [/^prek run\b/, "pip install prek"],
  [/^task\s/, "npm install -g @go-task/cli"],
  [/^cargo nextest\b/, "cargo install cargo-nextest --locked"],
  [/^golangci-lint\b/, "go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@latest"],
];

export async function detectSetup(options: {
  repo: ProjectFiles;
  detection: EcosystemDetection;
  /** The CI jobs the chosen commands came from. */
  jobs: readonly CiJob[];
  /** Whether the repository has CI at all. */
  ciFound: boolean;
  commands: readonly string[];
  /** Where the app's commands run, relative to the repository root. */
  appPath: string;
  /** Commands read from a lockfile, so the pnpm version can be read from it. */
  appFiles: ProjectFiles;
}): Promise<SetupFacts> {
  const { detection } = options;
  const commands: string[] = [];
  const reasons: string[] = [];
  const unsure: string[] = [];
  const prep = ciPreparation(options.jobs);

  // Corepack gives the exact package manager version package.json pins (yarn 2+, pnpm).
  const manager = detection.packageManager;
  if (manager === "pnpm" || (manager === "yarn" && detection.yarnBerry)) {
    commands.push("corepack enable");
    if (detection.packageManagerVersion) {
      reasons.push(
        `package.json packageManager ${manager}@${detection.packageManagerVersion}, which corepack provides`,
      );
    } else if (manager === "pnpm") {
      const major = await pnpmMajor(options.appFiles, detection.lockfile);
      commands.push(`corepack prepare pnpm@${major} --activate`);
      reasons.push(`the lockfile's version (pnpm ${major}), as package.json names no packageManager`);
      unsure.push(
        `package.json has no packageManager field; pnpm ${major} is read from the lockfile's version`,
      );
    } else {
      reasons.push(".yarnrc.yml (yarn 2 or later, which corepack provides)");
    }
  }

  let packages = prep.systemPackages;
  if (packages.length) reasons.push("the system packages the existing CI installs");
  else {
    packages = inferredSystemPackages(detection);
    if (packages.length) {
      reasons.push("the dependencies, which build against system libraries");
      unsure.push(`${packages.join(", ")} inferred from the dependencies`);
    }
  }
  if (packages.length) commands.push(`sudo apt-get update && sudo apt-get install -y ${packages.join(" ")}`);

  for (const tool of prep.tools) {
    const binary = /(?:install|enable)\s+(?:-g\s+|--global\s+|--locked\s+)*(?:@[\w-]+\/)?([\w-]+)/.exec(
      tool,
    )?.[1];
    const used = binary && options.commands.some((c) => c.includes(binary.replace(/^cargo-/, "")));
    if (used && !commands.includes(tool)) {
      commands.push(tool);
      reasons.push(`the existing CI, which installs ${binary}`);
    }
  }
  for (const command of options.commands) {
    const tool = TOOLS.find(([pattern]) => pattern.test(command));
    if (!tool || commands.includes(tool[1])) continue;
    const fromCi = prep.tools.some((t) =>
      t.includes(tool[1].split(" ").pop()!.split("@")[0]!.split("/").pop()!),
    );
    if (fromCi) continue;
    commands.push(tool[1]);
    reasons.push(`${command.split(" ")[0]} in the commands, which a fresh runner lacks`);
    unsure.push(`how ${command.split(" ")[0]} is installed`);
  }

  // Set-up runs where the app's commands run: a copy made in another folder is another app's.
  for (const copy of prep.configCopies) {
    if (copy.cwd !== options.appPath || commands.includes(copy.command)) continue;
    commands.push(copy.command);
    reasons.push("the existing CI, which copies configuration from the project's sample");
  }

  const gitmodules = await options.repo.text(".gitmodules");
  let submodules: SetupFacts["submodules"] = { value: false, source: "no .gitmodules", sure: true };
  if (gitmodules !== null) {
    if (prep.submodules)
      submodules = { value: true, source: ".gitmodules, and the existing CI checks them out", sure: true };
    else if (!options.ciFound) submodules = { value: true, source: ".gitmodules", sure: true };
    else
      submodules = {
        value: true,
        source:
          ".gitmodules (the existing CI does not check them out: turn this off if the build does not need them)",
        sure: false,
      };
  }
  return { commands, reasons, unsure: unsure.length ? unsure.join("; ") : null, submodules };
}

function inferredSystemPackages(detection: EcosystemDetection): string[] {
  const table =
    detection.language === "python"
      ? PYTHON_SYSTEM_LIBRARIES
      : detection.language === "rust"
        ? RUST_SYSTEM_LIBRARIES
        : {};
  const out: string[] = [];
  for (const dependency of detection.dependencies) {
    let names = table[dependency.name];
    // diesel and sqlx speak to PostgreSQL through libpq when the feature says so.
    if (
      detection.language === "rust" &&
      dependency.name === "diesel" &&
      dependency.features?.includes("postgres")
    ) {
      names = ["libpq-dev"];
    }
    for (const name of names ?? []) if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** pnpm's major version from `lockfileVersion` of pnpm-lock.yaml: 9.0 → 9, 6.x → 8, 5.x → 7. */
async function pnpmMajor(files: ProjectFiles, lockfile: string | null): Promise<number> {
  const text = lockfile ? await files.text(lockfile) : null;
  const version = Number.parseFloat(/lockfileVersion:\s*['"]?([\d.]+)/.exec(text ?? "")?.[1] ?? "9");
  if (version >= 9) return 9;
  if (version >= 6) return 8;
  return 7;
}
