import type { Language, ServiceKind } from "../config/schema.js";
import { COMPOSE_FILES } from "./compose.js";
import type { Dependency } from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";
import { imageKind } from "./test-env.js";
import type { DetectedService } from "./types.js";
import { isRecord } from "./values.js";

/** The kind a dependency implies; `feature` names the Cargo feature that decided it. */
type Matcher = (dependency: Dependency) => { kind: ServiceKind; feature?: string } | null;

const byName =
  (table: Readonly<Record<string, ServiceKind>>): Matcher =>
  ({ name }) =>
    Object.hasOwn(table, name) ? { kind: table[name]! } : null;

/** Go module paths carry a major-version suffix (`/v5`), so they match by prefix. */
const byPrefix =
  (table: ReadonlyArray<readonly [string, ServiceKind]>): Matcher =>
  ({ name }) => {
    const kind = table.find(([prefix]) => name === prefix || name.startsWith(`${prefix}/`))?.[1];
    return kind ? { kind } : null;
  };

const RUST_CRATES = byName({
  "tokio-postgres": "postgres",
  postgres: "postgres",
  redis: "redis",
  mysql: "mysql",
  mysql_async: "mysql",
  mongodb: "mongodb",
});

/** sqlx and diesel speak to whichever databases their features switch on. */
const rust: Matcher = (dependency) => {
  if (dependency.name !== "sqlx" && dependency.name !== "diesel") return RUST_CRATES(dependency);
  const feature = dependency.features?.find((f) => f === "postgres" || f === "mysql");
  return feature ? { kind: feature as ServiceKind, feature } : null;
};

const MATCHERS: Readonly<Record<Language, Matcher>> = {
  node: byName({
    pg: "postgres",
    postgres: "postgres",
    ioredis: "redis",
    redis: "redis",
    mysql: "mysql",
    mysql2: "mysql",
    mongodb: "mongodb",
    mongoose: "mongodb",
  }),
  python: byName({
    psycopg: "postgres",
    psycopg2: "postgres",
    "psycopg2-binary": "postgres",
    asyncpg: "postgres",
    redis: "redis",
    pymysql: "mysql",
    mysqlclient: "mysql",
    pymongo: "mongodb",
    motor: "mongodb",
    mongoengine: "mongodb",
    beanie: "mongodb",
  }),
  go: byPrefix([
    ["github.com/lib/pq", "postgres"],
    ["github.com/jackc/pgx", "postgres"],
    ["github.com/go-redis/redis", "redis"],
    ["github.com/redis/go-redis", "redis"],
    ["github.com/go-sql-driver/mysql", "mysql"],
    ["go.mongodb.org/mongo-driver", "mongodb"],
  ]),
  rust,
  java: byPrefix([
    ["org.postgresql:postgresql", "postgres"],
    ["redis.clients:jedis", "redis"],
    ["io.lettuce:lettuce-core", "redis"],
    ["org.springframework.boot:spring-boot-starter-data-redis", "redis"],
    ["mysql:mysql-connector-java", "mysql"],
    ["com.mysql:mysql-connector-j", "mysql"],
    ["org.mongodb:mongodb-driver-sync", "mongodb"],
    ["org.springframework.boot:spring-boot-starter-data-mongodb", "mongodb"],
  ]),
};

const PRISMA_PROVIDERS: Readonly<Record<string, ServiceKind>> = {
  postgresql: "postgres",
  mysql: "mysql",
  mongodb: "mongodb",
};

/**
 * Services the tests need: first from the chosen language's dependencies, in declaration
 * order, then from the images of docker-compose services. One entry per kind, citing the first
 * evidence found.
 */
export async function detectServices(options: {
  files: ProjectFiles;
  language: Language | null;
  dependencies: Dependency[];
  /** Where a Prisma schema may be, relative to `files`; `prisma/schema.prisma` when unset. */
  prismaSchemas?: readonly string[];
}): Promise<DetectedService[]> {
  const { files, language } = options;
  const found: DetectedService[] = [];
  const add = (kind: ServiceKind, source: string) => {
    if (!found.some((s) => s.kind === kind)) found.push({ kind, source });
  };
  if (language) {
    const match = MATCHERS[language];
    for (const dependency of options.dependencies) {
      if (language === "node" && dependency.name === "@prisma/client") {
        const provider = await prismaProvider(files, options.prismaSchemas ?? ["prisma/schema.prisma"]);
        if (provider) add(provider.kind, `${provider.file} datasource provider "${provider.name}"`);
      }
      const matched = match(dependency);
      const feature = matched?.feature ? ` with feature "${matched.feature}"` : "";
      if (matched) add(matched.kind, `${dependency.file} dependency "${dependency.name}"${feature}`);
    }
  }
  for (const file of COMPOSE_FILES) {
    const compose = await files.yaml(file);
    const services = isRecord(compose) ? compose.services : undefined;
    if (!isRecord(services)) continue;
    for (const [name, service] of Object.entries(services)) {
      const kind = isRecord(service) && typeof service.image === "string" ? imageKind(service.image) : null;
      if (kind) add(kind, `${file} service "${name}"`);
    }
  }
  return found;
}

async function prismaProvider(
  files: ProjectFiles,
  paths: readonly string[],
): Promise<{ kind: ServiceKind; name: string; file: string } | null> {
  for (const file of paths) {
    const schema = await files.text(file);
    const datasource = schema === null ? null : /datasource\s+\w+\s*\{([^}]*)\}/.exec(schema);
    const name = datasource ? /provider\s*=\s*"([^"]+)"/.exec(datasource[1]!)?.[1] : undefined;
    const kind = name && Object.hasOwn(PRISMA_PROVIDERS, name) ? PRISMA_PROVIDERS[name]! : null;
    if (kind && name) return { kind, name, file };
  }
  return null;
}
