import { type Dependency, type EcosystemDetection, emptyEcosystem } from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";

/** A JVM build that applies one of these frameworks builds a server. */
const SERVER_FRAMEWORKS = /spring-boot|quarkus|micronaut|helidon|dropwizard|io\.ktor|vertx/;

/**
 * Maven and Gradle builds are programs, not data, so these readers look for the common
 * spellings with patterns and leave anything cleverer to shipgate.yml.
 */
export async function detectJava(files: ProjectFiles): Promise<EcosystemDetection | null> {
  const pom = await files.text("pom.xml");
  if (pom !== null) return maven({ files, pom });
  const buildFile = await files.first(["build.gradle.kts", "build.gradle"]);
  if (buildFile) return gradle({ files, buildFile });
  return null;
}

async function maven(options: { files: ProjectFiles; pom: string }): Promise<EcosystemDetection> {
  const { files } = options;
  const pom = options.pom.replace(/<!--[\s\S]*?-->/g, "");
  const mvn = (await files.exists("mvnw")) ? "./mvnw" : "mvn";
  // The project's own coordinates are the ones outside <parent>, <dependencies> and <build>.
  const own = pom.replace(
    /<(parent|dependencies|dependencyManagement|build|profiles|reporting)>[\s\S]*?<\/\1>/g,
    "",
  );
  const jacoco = pom.includes("jacoco-maven-plugin") && /<goal>\s*report\s*<\/goal>/.test(pom);
  const result: EcosystemDetection = {
    ...emptyEcosystem(),
    language: "java",
    manifest: "pom.xml",
    name: element({ xml: own, tag: "artifactId" }),
    packageManager: "maven",
    commands: { test: `${mvn} -B verify`, build: `${mvn} -B -DskipTests package` },
    commandSources: { test: null, build: null },
    testRunner: "junit",
    coverageReport: jacoco ? "target/site/jacoco/jacoco.xml" : null,
    dependencies: [...pom.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)].map(
      ([, body]): Dependency => ({
        name: `${element({ xml: body!, tag: "groupId" }) ?? ""}:${element({ xml: body!, tag: "artifactId" }) ?? ""}`,
        file: "pom.xml",
      }),
    ),
  };
  if (!jacoco) result.notes.push("No JaCoCo report goal in pom.xml, so the tests write no coverage report.");
  const version = ["maven.compiler.release", "java.version", "maven.compiler.source"]
    .map((tag) => element({ xml: pom, tag }))
    .find((v) => v && /^\d/.test(v));
  Object.assign(result, await javaVersion({ files, declared: version ?? null }));
  const modules = [...pom.matchAll(/<module>\s*([^<\s]+)\s*<\/module>/g)].map(([, m]) => m!);
  if (modules.length) result.workspaces = { tool: "maven", members: modules };
  result.serves = SERVER_FRAMEWORKS.test(pom);
  return result;
}

async function gradle(options: { files: ProjectFiles; buildFile: string }): Promise<EcosystemDetection> {
  const { files, buildFile } = options;
  const build = (await files.text(buildFile)) ?? "";
  const settings = (await files.text("settings.gradle.kts")) ?? (await files.text("settings.gradle")) ?? "";
  const gradlew = (await files.exists("gradlew")) ? "./gradlew" : "gradle";
  const result: EcosystemDetection = {
    ...emptyEcosystem(),
    language: "java",
    manifest: buildFile,
    name: /rootProject\.name\s*=\s*["']([^"']+)["']/.exec(settings)?.[1] ?? null,
    packageManager: "gradle",
    commands: { test: `${gradlew} test`, build: `${gradlew} build -x test` },
    commandSources: { test: null, build: null },
    testRunner: "junit",
    dependencies: [...build.matchAll(/["']([\w.-]+:[\w.-]+)(:[^"']*)?["']/g)].map(
      ([, coordinates]): Dependency => ({ name: coordinates!, file: buildFile }),
    ),
  };
  result.notes.push(
    "Gradle writes no coverage report by default; set ci.coverage.report if JaCoCo is set up.",
  );
  if (gradlew === "gradle")
    result.notes.push("No Gradle wrapper (gradlew); CI uses whatever Gradle is installed.");
  const version =
    /JavaLanguageVersion\.of\(\s*(\d+)\s*\)/.exec(build)?.[1] ??
    /JavaVersion\.VERSION_(\d+)/.exec(build)?.[1] ??
    /sourceCompatibility\s*=\s*['"]?(\d+)/.exec(build)?.[1] ??
    null;
  Object.assign(result, await javaVersion({ files, declared: version }));
  const modules = [...settings.matchAll(/^\s*include\b\s*\(?([^)\n]*)\)?/gm)].flatMap(([, list]) =>
    [...list!.matchAll(/["']:?([^"']+)["']/g)].map(([, m]) => m!.replace(/:/g, "/")),
  );
  // `project(':server-app').projectDir = new File('backend/app')`: the module lives elsewhere.
  const moved = new Map(
    [
      ...settings.matchAll(
        /project\(\s*["']:?([^"']+)["']\s*\)\.projectDir\s*=\s*(?:new\s+File|file)\(\s*["']([^"'$]+)["']\s*\)/g,
      ),
    ].map(([, module, dir]) => [module!.replace(/:/g, "/"), dir!.replace(/^\.\//, "").replace(/\/+$/, "")]),
  );
  const members = modules.map((m) => moved.get(m) ?? m);
  if (members.length) result.workspaces = { tool: "gradle", members };
  result.serves = SERVER_FRAMEWORKS.test(build);
  return result;
}

function element(options: { xml: string; tag: string }): string | null {
  const tag = options.tag.replace(/\./g, "\\.");
  return new RegExp(`<${tag}>\\s*([^<]*?)\\s*</${tag}>`).exec(options.xml)?.[1] ?? null;
}

/** `1.8` is Java 8; newer versions are plain majors. */
async function javaVersion(options: {
  files: ProjectFiles;
  declared: string | null;
}): Promise<Pick<EcosystemDetection, "languageVersion" | "versionFile" | "versionSource">> {
  const pinned = (await options.files.text(".java-version"))?.trim();
  if (pinned)
    return { languageVersion: pinned, versionFile: ".java-version", versionSource: ".java-version" };
  const declared = options.declared?.replace(/^1\.(\d+)$/, "$1") ?? null;
  return { languageVersion: declared, versionFile: null, versionSource: declared ? "the build file" : null };
}
