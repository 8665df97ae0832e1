import { type Dependency, type EcosystemDetection, emptyEcosystem } from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";

/** Reads go.mod (and go.work) of a Go module. */
export async function detectGo(files: ProjectFiles): Promise<EcosystemDetection | null> {
  const gomod = await files.text("go.mod");
  if (gomod === null) return null;
  const mod = parseGoMod(gomod);
  const golangci = await files.first([".golangci.yml", ".golangci.yaml", ".golangci.toml", ".golangci.json"]);
  const result: EcosystemDetection = {
    ...emptyEcosystem(),
    language: "go",
    manifest: "go.mod",
    name: mod.module ? moduleName(mod.module) : null,
    packageManager: "go",
    languageVersion: mod.go,
    versionFile: mod.go ? "go.mod" : null,
    versionSource: mod.go ? "go.mod (go directive)" : null,
    lockfile: (await files.exists("go.sum")) ? "go.sum" : null,
    commands: {
      install: "go mod download",
      lint: golangci ? "golangci-lint run" : "go vet ./...",
      test: "go test -race -coverprofile=coverage.out ./...",
      build: "go build ./...",
    },
    commandSources: { install: "go.mod", lint: golangci, test: null, build: null },
    testRunner: "go",
    coverageReport: "coverage.out",
    dependencies: mod.require.map((name): Dependency => ({ name, file: "go.mod" })),
    // A Go module with a main package is a program; most of them serve.
    serves: (await files.exists("main.go")) || (await files.isDirectory("cmd")),
  };
  const gowork = await files.text("go.work");
  if (gowork !== null)
    result.workspaces = { tool: "go", members: directiveValues({ text: gowork, directive: "use" }) };
  return result;
}

export interface GoMod {
  module: string | null;
  go: string | null;
  /** Required module paths, direct and indirect, in file order. */
  require: string[];
}

export function parseGoMod(text: string): GoMod {
  const single = (directive: string) => directiveValues({ text, directive })[0] ?? null;
  return {
    module: single("module"),
    go: single("go"),
    require: directiveValues({ text, directive: "require" }),
  };
}

/** The first word of every `directive x` line and of every line of a `directive ( ... )` block. */
function directiveValues(options: { text: string; directive: string }): string[] {
  const values: string[] = [];
  let inBlock = false;
  for (const raw of options.text.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (inBlock) {
      if (line === ")") inBlock = false;
      else if (line) values.push(unquote(line.split(/\s+/)[0]!));
      continue;
    }
    const m = new RegExp(`^${options.directive}\\s+(.+)$`).exec(line);
    if (!m) continue;
    if (m[1] === "(") inBlock = true;
    else values.push(unquote(m[1]!.split(/\s+/)[0]!));
  }
  return values;
}

function unquote(word: string): string {
  return word.replace(/^"(.*)"$/, "$1");
}

/** `github.com/acme/orders/v2` → `orders`: a major-version suffix is not the name. */
function moduleName(path: string): string {
  const parts = path.split("/").filter((p) => p && !/^v\d+$/.test(p));
  return parts[parts.length - 1] ?? path;
}
