import { type Dependency, type EcosystemDetection, emptyEcosystem } from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";
import { isTable, type TomlTable, tomlGet, tomlTable } from "./toml.js";

const DEPENDENCY_TABLES = ["dependencies", "dev-dependencies"];

/** Reads Cargo.toml, its workspace members and the toolchain file of a Rust crate or workspace. */
export async function detectRust(files: ProjectFiles): Promise<EcosystemDetection | null> {
  if (!(await files.exists("Cargo.toml"))) return null;
  const cargo = (await files.toml("Cargo.toml")) ?? {};
  const pkg = tomlTable(cargo, "package");
  const workspace = tomlTable(cargo, "workspace");
  const locked = await files.exists("Cargo.lock");
  const result: EcosystemDetection = {
    ...emptyEcosystem(),
    language: "rust",
    manifest: "Cargo.toml",
    packageManager: "cargo",
    lockfile: locked ? "Cargo.lock" : null,
    commands: {
      install: locked ? "cargo fetch --locked" : "cargo fetch",
      lint: "cargo clippy --all-targets -- -D warnings",
      test: "cargo test",
      build: locked ? "cargo build --release --locked" : "cargo build --release",
    },
    commandSources: { install: locked ? "Cargo.lock" : "Cargo.toml", lint: null, test: null, build: null },
    testRunner: "cargo",
  };
  const name = tomlGet(pkg, "name");
  result.name = typeof name === "string" ? name : null;
  if (!locked) result.notes.push("No Cargo.lock found; builds resolve the newest compatible versions.");
  result.notes.push(
    "cargo test writes no coverage report; set ci.coverage.report if a tool such as cargo-llvm-cov does.",
  );

  const members = tomlGet(workspace, "members");
  const memberPatterns = Array.isArray(members)
    ? members.filter((m): m is string => typeof m === "string")
    : [];
  if (memberPatterns.length) result.workspaces = { tool: "cargo", members: memberPatterns };

  // Members inherit `{ workspace = true }` dependencies, features included, from the root.
  const shared = tomlTable(workspace, "dependencies");
  result.dependencies = dependencies({ manifest: cargo, file: "Cargo.toml", shared });
  for (const dir of await files.members(memberPatterns)) {
    const file = `${dir}/Cargo.toml`;
    const member = await files.toml(file);
    if (member) result.dependencies.push(...dependencies({ manifest: member, file, shared }));
  }

  Object.assign(result, await rustVersion({ files, pkg, workspace }));
  result.serves = result.dependencies.some((d) =>
    /^(actix-web|axum|rocket|warp|poem|tide|hyper|salvo|tower-http)$/.test(d.name),
  );
  return result;
}

function features(spec: unknown): string[] {
  const list = isTable(spec) ? tomlGet(spec, "features") : undefined;
  return Array.isArray(list) ? list.filter((f): f is string => typeof f === "string") : [];
}

function dependencies(options: { manifest: TomlTable; file: string; shared: TomlTable }): Dependency[] {
  const { manifest, file, shared } = options;
  const found: Dependency[] = [];
  for (const key of DEPENDENCY_TABLES) {
    for (const [name, spec] of Object.entries(tomlTable(manifest, key))) {
      const inherited =
        isTable(spec) && tomlGet(spec, "workspace") === true ? features(tomlGet(shared, name)) : [];
      found.push({ name, file, features: [...inherited, ...features(spec)] });
    }
  }
  for (const [name, spec] of Object.entries(tomlTable(tomlTable(manifest, "workspace"), "dependencies"))) {
    found.push({ name, file, features: features(spec) });
  }
  return found;
}

async function rustVersion(options: {
  files: ProjectFiles;
  pkg: TomlTable;
  workspace: TomlTable;
}): Promise<Pick<EcosystemDetection, "languageVersion" | "versionFile" | "versionSource">> {
  const { files } = options;
  const toolchain = await files.toml("rust-toolchain.toml");
  const channel = toolchain ? tomlGet(tomlTable(toolchain, "toolchain"), "channel") : undefined;
  if (typeof channel === "string")
    return {
      languageVersion: channel,
      versionFile: "rust-toolchain.toml",
      versionSource: "rust-toolchain.toml",
    };
  const legacy = (await files.text("rust-toolchain"))?.trim();
  // The legacy file may itself be TOML; only a bare channel name is read from it.
  if (legacy && /^[\w.-]+$/.test(legacy))
    return { languageVersion: legacy, versionFile: "rust-toolchain", versionSource: "rust-toolchain" };
  const declared =
    tomlGet(options.pkg, "rust-version") ?? tomlGet(tomlTable(options.workspace, "package"), "rust-version");
  return {
    languageVersion: typeof declared === "string" ? declared : null,
    versionFile: null,
    versionSource: typeof declared === "string" ? "Cargo.toml (rust-version)" : null,
  };
}
