import { posix } from "node:path";
import type { ProjectFiles } from "./files.js";
import { isRecord } from "./values.js";

/** The compose files a repository keeps at its root. */
export const COMPOSE_FILES = ["docker-compose.yml", "docker-compose.yaml", "compose.yaml", "compose.yml"];

/**
 * Where services built from the repository are declared: the root's compose files, the
 * override compose reads beside them by default (services often gain their build there), and
 * the same files under docker/.
 */
const BUILD_FILES = [
  ...COMPOSE_FILES,
  "docker-compose.override.yml",
  "docker-compose.override.yaml",
  "compose.override.yaml",
  "compose.override.yml",
  ...COMPOSE_FILES.map((f) => `docker/${f}`),
];

/** A compose service built from the repository, its paths relative to the repository root. */
export interface ComposeBuild {
  file: string;
  service: string;
  context: string;
  dockerfile: string;
  target: string | null;
  /** The image's name without registry or tag, when the service names one. */
  image: string | null;
  /** The health check's test command, when the service has one. */
  healthcheck: string | null;
  /** The service's `command:`, which replaces the image's CMD. */
  command: string | null;
}

/** A compose service that runs an image it does not build (`image: acme/orders:1.4`). */
export interface ComposeImageService {
  file: string;
  service: string;
  /** The image's name without registry or tag. */
  image: string;
  healthcheck: string | null;
  /** The service's `command:`, which replaces the image's CMD. */
  command: string | null;
}

/** Every service the compose files build (a `build:` key), in file order. */
export async function composeBuilds(files: ProjectFiles): Promise<ComposeBuild[]> {
  return (await composeServices(files)).builds;
}

/** A compose service that runs the app. */
export interface AppComposeService {
  file: string;
  service: string;
  healthcheck: string | null;
  command: string | null;
  /** The published image it runs, when it runs one rather than building the app. */
  published: string | null;
}

/**
 * The compose services that run the app: those built from its folder or its Dockerfile first,
 * then those running its published image (`image: acme/orders:1.4`, named like the app).
 */
export async function appComposeServices(
  files: ProjectFiles,
  app: { appPath: string; dockerfile: string | null; names: Iterable<string> },
): Promise<AppComposeService[]> {
  const { builds, images } = await composeServices(files);
  const names = new Set([...app.names].filter(Boolean).map((n) => n.toLowerCase()));
  const context = repositoryPath(app.appPath);
  return [
    ...builds
      .filter((b) => b.context === context || b.dockerfile === app.dockerfile)
      .map((b) => ({ ...b, published: null })),
    ...images.filter((i) => names.has(i.image.toLowerCase())).map((i) => ({ ...i, published: i.image })),
  ];
}

async function composeServices(
  files: ProjectFiles,
): Promise<{ builds: ComposeBuild[]; images: ComposeImageService[] }> {
  const builds: ComposeBuild[] = [];
  const images: ComposeImageService[] = [];
  for (const file of BUILD_FILES) {
    const doc = await files.yaml(file);
    const services = isRecord(doc) && isRecord(doc.services) ? doc.services : {};
    for (const [name, service] of Object.entries(services)) {
      if (!isRecord(service)) continue;
      const test = isRecord(service.healthcheck) ? service.healthcheck.test : undefined;
      const healthcheck = Array.isArray(test) ? test.join(" ") : typeof test === "string" ? test : null;
      const image = typeof service.image === "string" ? service.image.split("/").pop()!.split(":")[0]! : null;
      const command = Array.isArray(service.command)
        ? service.command.join(" ")
        : typeof service.command === "string"
          ? service.command
          : null;
      const build = service.build;
      if (build === undefined) {
        if (image) images.push({ file, service: name, image, healthcheck, command });
        continue;
      }
      const relative =
        typeof build === "string"
          ? build
          : isRecord(build) && typeof build.context === "string"
            ? build.context
            : ".";
      // A context is relative to the compose file's folder.
      const context = repositoryPath(posix.join(posix.dirname(file), relative));
      const dockerfile =
        isRecord(build) && typeof build.dockerfile === "string" ? build.dockerfile : "Dockerfile";
      builds.push({
        file,
        service: name,
        context,
        dockerfile: repositoryPath(posix.join(context, dockerfile)),
        target: isRecord(build) && typeof build.target === "string" ? build.target : null,
        image,
        healthcheck,
        command,
      });
    }
  }
  return { builds, images };
}

/** A path relative to the repository root, `.` for the root itself. */
export function repositoryPath(path: string): string {
  const clean = posix.normalize(path.replace(/^\.\//, "")).replace(/\/+$/, "");
  return clean === "" || clean === "./" ? "." : clean;
}
