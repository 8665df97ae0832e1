import {
  type Dependency,
  type EcosystemDetection,
  emptyEcosystem,
  leadingVersion,
  type ReaderContext,
  toolVersionsEntry,
} from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";
import { isTable, type TomlTable, type TomlValue, tomlGet, tomlTable } from "./toml.js";

const MANIFESTS = ["pyproject.toml", "uv.lock", "poetry.lock", "requirements.txt", "setup.py", "Pipfile"];

/** Web frameworks and servers: a project that depends on one serves requests. */
const SERVER_PACKAGES =
  /^(django|fastapi|flask|starlette|litestar|aiohttp|tornado|sanic|quart|falcon|pyramid|bottle|gunicorn|uvicorn|granian|hypercorn|uwsgi|daphne|waitress)$/;

/** Reads pyproject.toml, requirements files and lockfiles of a Python project. */
export async function detectPython(
  files: ProjectFiles,
  context: ReaderContext = { ancestors: [] },
): Promise<EcosystemDetection | null> {
  const manifest = await files.first(MANIFESTS);
  if (!manifest) return null;
  const result: EcosystemDetection = { ...emptyEcosystem(), language: "python", manifest };
  const { commands, notes, commandSources } = result;
  const pyproject = (await files.toml("pyproject.toml")) ?? {};
  const project = tomlTable(pyproject, "project");
  const tool = tomlTable(pyproject, "tool");
  const poetry = tomlTable(tool, "poetry");
  const extras = Object.keys(tomlTable(project, "optional-dependencies"));

  const requirements = await files.first([
    "requirements.txt",
    "requirements/base.txt",
    "requirements/prod.txt",
  ]);
  const devRequirements = await files.first([
    "requirements-dev.txt",
    "requirements_dev.txt",
    "requirements/dev.txt",
    "requirements/test.txt",
    "requirements-test.txt",
    "dev-requirements.txt",
  ]);
  let prefix = "";
  const uvLock = await lockfileUp(files, context, "uv.lock");
  if (uvLock) {
    Object.assign(result, { packageManager: "uv", lockfile: uvLock });
    commands.install = `uv sync --frozen${extras.length ? " --all-extras" : ""}`;
    commandSources.install = `${uvLock} (uv)`;
    prefix = "uv run ";
  } else if ((await files.exists("poetry.lock")) || Object.keys(poetry).length) {
    const locked = await files.exists("poetry.lock");
    Object.assign(result, { packageManager: "poetry", lockfile: locked ? "poetry.lock" : null });
    commands.install = `poetry install --no-interaction${extras.length ? " --all-extras" : ""}`;
    commandSources.install = locked ? "poetry.lock (poetry)" : "pyproject.toml [tool.poetry]";
    prefix = "poetry run ";
    if (!locked) notes.push("No poetry.lock found; installs are not reproducible until one is committed.");
  } else {
    result.packageManager = "pip";
    if (requirements) {
      commands.install = [
        "pip install",
        ...[requirements, devRequirements].flatMap((f) => (f ? [`-r ${f}`] : [])),
      ].join(" ");
      commandSources.install = requirements;
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
    commandSources.lint = has("ruff") ? "ruff is a dependency" : "ruff is configured";
  } else if (has("flake8") || (await files.exists(".flake8"))) {
    commands.lint = `${prefix}flake8`;
    commandSources.lint = "flake8 is configured";
  }
  if (has("mypy") || tomlGet(tool, "mypy") !== undefined || (await files.exists("mypy.ini"))) {
    commands.typecheck = `${prefix}mypy .`;
    commandSources.typecheck = has("mypy") ? "mypy is a dependency" : "mypy is configured";
  }

  const django = has("django") && (await files.exists("manage.py"));
  const pytestConfigured =
    has("pytest") || tomlGet(tool, "pytest") !== undefined || (await files.exists("pytest.ini"));
  if (pytestConfigured) {
    result.testRunner = "pytest";
    commandSources.test = "pytest is a dependency";
    if (has("pytest-cov")) {
      commands.test = `${prefix}pytest --cov --cov-report=xml`;
      result.coverageReport = "coverage.xml";
    } else {
      commands.test = `${prefix}pytest`;
      notes.push(
        "pytest-cov is not a dependency, so the tests measure no coverage; add it to enable the gate.",
      );
    }
  } else if (django) {
    // Django's own runner: the tests live in the apps and run through manage.py.
    result.testRunner = "django";
    commands.test = `${prefix}python manage.py test`;
    commandSources.test = "manage.py (Django)";
    notes.push(
      "Django's test runner writes no coverage report; run it under coverage.py to enable the gate.",
    );
  }
  result.serves = deps.some((d) => SERVER_PACKAGES.test(d.name));

  const name = tomlGet(project, "name") ?? tomlGet(poetry, "name");
  result.name = typeof name === "string" ? name : null;
  Object.assign(result, await pythonVersion({ files, project, poetry, context }));
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

/** A lockfile in the project's folder or, for a workspace member, in a folder above it. */
async function lockfileUp(files: ProjectFiles, context: ReaderContext, name: string): Promise<string | null> {
  for (const [level, dir] of [files, ...context.ancestors].entries()) {
    if (await dir.exists(name)) return `${"../".repeat(level)}${name}`;
  }
  return null;
}

async function pythonVersion(options: {
  files: ProjectFiles;
  project: TomlTable;
  poetry: TomlTable;
  context: ReaderContext;
}): Promise<Pick<EcosystemDetection, "languageVersion" | "versionFile" | "versionSource">> {
  for (const [level, dir] of [options.files, ...options.context.ancestors].entries()) {
    const pinned = (await dir.text(".python-version"))?.trim().split(/\s/)[0];
    const file = `${"../".repeat(level)}.python-version`;
    if (pinned)
      return {
        languageVersion: pinned,
        versionFile: level === 0 ? ".python-version" : null,
        versionSource: file,
      };
    const asdf = await toolVersionsEntry(dir, "python");
    if (asdf)
      return {
        languageVersion: asdf,
        versionFile: null,
        versionSource: `${"../".repeat(level)}.tool-versions`,
      };
  }
  const range =
    tomlGet(options.project, "requires-python") ??
    tomlGet(tomlTable(options.poetry, "dependencies"), "python");
  const languageVersion = typeof range === "string" ? leadingVersion({ range }) : null;
  return {
    languageVersion,
    versionFile: null,
    versionSource: languageVersion ? "pyproject.toml (requires-python)" : null,
  };
}
