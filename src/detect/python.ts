import { type Dependency, type EcosystemDetection, emptyEcosystem, leadingVersion } from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";
import { isTable, type TomlTable, type TomlValue, tomlGet, tomlTable } from "./toml.js";

const MANIFESTS = ["pyproject.toml", "uv.lock", "poetry.lock", "requirements.txt", "setup.py"];

/** Reads pyproject.toml, requirements files and lockfiles of a Python project. */
export async function detectPython(files: ProjectFiles): Promise<EcosystemDetection | null> {
  const manifest = await files.first(MANIFESTS);
  if (!manifest) return null;
  const result: EcosystemDetection = { ...emptyEcosystem(), language: "python", manifest };
  const { commands, notes } = result;
  const pyproject = (await files.toml("pyproject.toml")) ?? {};
  const project = tomlTable(pyproject, "project");
  const tool = tomlTable(pyproject, "tool");
  const poetry = tomlTable(tool, "poetry");
  const extras = Object.keys(tomlTable(project, "optional-dependencies"));

  const requirements = await files.first(["requirements.txt"]);
  const devRequirements = await files.first(["requirements-dev.txt"]);
  let prefix = "";
  if (await files.exists("uv.lock")) {
    Object.assign(result, { packageManager: "uv", lockfile: "uv.lock" });
    commands.install = `uv sync --frozen${extras.length ? " --all-extras" : ""}`;
    prefix = "uv run ";
  } else if ((await files.exists("poetry.lock")) || Object.keys(poetry).length) {
    const locked = await files.exists("poetry.lock");
    Object.assign(result, { packageManager: "poetry", lockfile: locked ? "poetry.lock" : null });
    commands.install = `poetry install --no-interaction${extras.length ? " --all-extras" : ""}`;
    prefix = "poetry run ";
    if (!locked) notes.push("No poetry.lock found; installs are not reproducible until one is committed.");
  } else {
    result.packageManager = "pip";
    if (requirements) {
      commands.install = [
        "pip install",
        ...[requirements, devRequirements].flatMap((f) => (f ? [`-r ${f}`] : [])),
      ].join(" ");
    } else {
      commands.install = extras.length ? `pip install -e ".[${extras.join(",")}]"` : "pip install -e .";
      notes.push("No lockfile or requirements.txt found; pip installs the newest versions the ranges allow.");
    }
  }

  const deps = [
    ...pyprojectDependencies(pyproject),
    ...(await requirementDependencies({ files, paths: [requirements, devRequirements] })),
  ];
  result.dependencies = deps;
  const has = (name: string) => deps.some((d) => d.name === name);

  if (has("ruff") || tomlGet(tool, "ruff") !== undefined || (await files.exists("ruff.toml"))) {
    commands.lint = `${prefix}ruff check .`;
  }
  if (has("mypy") || tomlGet(tool, "mypy") !== undefined || (await files.exists("mypy.ini"))) {
    commands.typecheck = `${prefix}mypy .`;
  }

  if (has("pytest") || tomlGet(tool, "pytest") !== undefined || (await files.exists("pytest.ini"))) {
    result.testRunner = "pytest";
    if (has("pytest-cov")) {
      commands.test = `${prefix}pytest --cov --cov-report=xml`;
      result.coverageReport = "coverage.xml";
    } else {
      commands.test = `${prefix}pytest`;
      notes.push(
        "pytest-cov is not a dependency, so the tests measure no coverage; add it to enable the gate.",
      );
    }
  }

  const name = tomlGet(project, "name") ?? tomlGet(poetry, "name");
  result.name = typeof name === "string" ? name : null;
  Object.assign(result, await pythonVersion({ files, project, poetry }));
  const members = tomlGet(tomlTable(tomlTable(tool, "uv"), "workspace"), "members");
  if (Array.isArray(members)) result.workspaces = { tool: "uv", members: strings(members) };
  return result;
}

function strings(values: TomlValue[]): string[] {
  return values.filter((v): v is string => typeof v === "string");
}

/** `psycopg2_binary>=2.9 ; python_version < "3.13"` → `psycopg2-binary`, as PEP 503 normalizes names. */
export function requirementName(spec: string): string | null {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
  return m ? m[1]!.toLowerCase().replace(/[._]+/g, "-") : null;
}

function pyprojectDependencies(pyproject: TomlTable): Dependency[] {
  const project = tomlTable(pyproject, "project");
  const tool = tomlTable(pyproject, "tool");
  const poetry = tomlTable(tool, "poetry");
  const specs: string[] = [];
  const lists = [
    tomlGet(project, "dependencies"),
    ...Object.values(tomlTable(project, "optional-dependencies")),
    ...Object.values(tomlTable(pyproject, "dependency-groups")),
    tomlGet(tomlTable(tool, "uv"), "dev-dependencies"),
  ];
  for (const list of lists) if (Array.isArray(list)) specs.push(...strings(list));
  // Poetry declares dependencies as table keys, in the main table and in every group.
  const poetryTables = [
    tomlTable(poetry, "dependencies"),
    tomlTable(poetry, "dev-dependencies"),
    ...Object.values(tomlTable(poetry, "group")).map((group) =>
      isTable(group) ? tomlTable(group, "dependencies") : {},
    ),
  ];
  for (const t of poetryTables) specs.push(...Object.keys(t).filter((k) => k !== "python"));
  return specs.flatMap((spec) => {
    const name = requirementName(spec);
    return name ? [{ name, file: "pyproject.toml" }] : [];
  });
}

async function requirementDependencies(options: {
  files: ProjectFiles;
  paths: Array<string | null>;
}): Promise<Dependency[]> {
  const found: Dependency[] = [];
  for (const file of options.paths) {
    const text = file ? await options.files.text(file) : null;
    if (!file || text === null) continue;
    for (const line of text.split("\n")) {
      // Options (-r, -e, --index-url) and comments name no package.
      if (/^\s*(-|#|$)/.test(line)) continue;
      const name = requirementName(line);
      if (name) found.push({ name, file });
    }
  }
  return found;
}

async function pythonVersion(options: {
  files: ProjectFiles;
  project: TomlTable;
  poetry: TomlTable;
}): Promise<Pick<EcosystemDetection, "languageVersion" | "versionFile">> {
  const pinned = (await options.files.text(".python-version"))?.trim().split(/\s/)[0];
  if (pinned) return { languageVersion: pinned, versionFile: ".python-version" };
  const range =
    tomlGet(options.project, "requires-python") ??
    tomlGet(tomlTable(options.poetry, "dependencies"), "python");
  const languageVersion = typeof range === "string" ? leadingVersion({ range }) : null;
  return { languageVersion, versionFile: null };
}
