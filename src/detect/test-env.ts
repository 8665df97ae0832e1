import type { ServiceKind } from "../config/schema.js";
import { scriptCommands } from "./ci-commands.js";
import type { CiJob } from "./ci-jobs.js";
import { commandBody } from "./command-kinds.js";
import type { ProjectFiles } from "./files.js";
import { isRecord } from "./values.js";

/**
 * The services the tests connect to and the variables they read to find them, taken from what
 * the project already runs its tests with: CI service containers, the service actions and
 * compose files CI starts, then the test environment files the app loads.
 */

/** `docker.io/bitnami/postgresql:16`, `pgvector/pgvector@sha256:…` → postgres. */
export function imageKind(image: string): ServiceKind | null {
  const repository = image.split("@")[0]!.split("/").pop()!.split(":")[0]!.toLowerCase();
  if (/^(postgres|postgis|pgvector|timescaledb|pgautoupgrade)/.test(repository)) return "postgres";
  if (/^(redis|valkey|keydb|dragonfly)/.test(repository)) return "redis";
  if (/^(mysql|mariadb|percona)/.test(repository)) return "mysql";
  if (/^mongo/.test(repository)) return "mongodb";
  return null;
}

/** Actions that start a service on the runner instead of a service container. */
const SERVICE_ACTIONS: ReadonlyArray<readonly [RegExp, ServiceKind]> = [
  [/mongodb-github-action|start-mongodb/, "mongodb"],
  [/redis-github-action|setup-redis|start-redis/, "redis"],
  [/setup-postgres|postgresql-action|setup-postgresql/, "postgres"],
  [/setup-mysql|mysql-action|setup-mariadb/, "mysql"],
];

export interface CiServices {
  kinds: ServiceKind[];
  /** Evidence per kind, e.g. `.github/workflows/ci.yml (job test) service "db"`. */
  sources: string[];
}

/** Services the given CI jobs start: service containers, service actions, compose files they bring up. */
export async function ciServices(files: ProjectFiles, jobs: readonly CiJob[]): Promise<CiServices> {
  const kinds: ServiceKind[] = [];
  const sources: string[] = [];
  const add = (kind: ServiceKind | null, source: string) => {
    if (!kind || kinds.includes(kind)) return;
    kinds.push(kind);
    sources.push(`${kind} (${source})`);
  };
  for (const job of jobs) {
    const where = `${job.file} job ${job.id}`;
    for (const service of job.services) add(imageKind(service.image), `${where}, service "${service.name}"`);
    for (const step of job.steps) {
      for (const [pattern, kind] of SERVICE_ACTIONS)
        if (step.uses && pattern.test(step.uses)) add(kind, `${where}, ${step.uses}`);
      for (const { command, cwd } of step.run ? scriptCommands(step.run, ".") : []) {
        const m = /^docker[ -]compose\b(.*)\bup\b/.exec(commandBody(command));
        if (!m) continue;
        const composeFiles = [...m[1]!.matchAll(/(?:-f|--file)[ =](\S+)/g)].map((f) => f[1]!);
        for (const file of composeFiles.length ? composeFiles : ["docker-compose.yml", "compose.yaml"]) {
          const path = cwd === "." ? file.replace(/^\.\//, "") : `${cwd}/${file.replace(/^\.\//, "")}`;
          const doc = await files.yaml(path);
          const services = isRecord(doc) && isRecord(doc.services) ? doc.services : {};
          for (const [name, service] of Object.entries(services)) {
            if (isRecord(service) && typeof service.image === "string")
              add(imageKind(service.image), `${path} service "${name}"`);
          }
        }
      }
    }
  }
  return { kinds, sources };
}

/** Which service a variable's name points at, and which part of its address it holds. */
export function variableShape(
  name: string,
  services: readonly ServiceKind[],
): { kind: ServiceKind; field: "url" | "host" | "port" | "user" | "password" | "database" } | null {
  const upper = name.toUpperCase();
  let kind: ServiceKind | undefined;
  if (/MONGO/.test(upper)) kind = "mongodb";
  else if (/REDIS|VALKEY|CACHE_(URL|HOST|PORT)/.test(upper)) kind = "redis";
  else if (/MYSQL|MARIADB/.test(upper)) kind = "mysql";
  else if (/(^|_)(PG|POSTGRES|POSTGRESQL)(_|$)|^PG[A-Z]+$|POSTGRES/.test(upper)) kind = "postgres";
  else if (/(^|_)(DB|DATABASE|SQL)(_|$)|DATABASE_URL$|^DB/.test(upper)) {
    kind = services.find((s) => s === "postgres" || s === "mysql");
  }
  if (!kind || !services.includes(kind)) return null;
  if (/(URL|URI|DSN|CONNECTION_STRING|CONN)$/.test(upper)) return { kind, field: "url" };
  if (/(HOST|SERVER|HOSTNAME|ADDR)$/.test(upper)) return { kind, field: "host" };
  if (/PORT$/.test(upper)) return { kind, field: "port" };
  if (/(USER|USERNAME)$/.test(upper)) return { kind, field: "user" };
  if (/(PASSWORD|PASS|PWD)$/.test(upper)) return { kind, field: "password" };
  if (/(^|_)(DB|DATABASE|DBNAME|NAME)$|^PGDATABASE$/.test(upper)) return { kind, field: "database" };
  return null;
}

/** Names that hold credentials a test run never needs copied: the value is never taken. */
const SECRET_NAME = /SECRET|TOKEN|PRIVATE|API_KEY|ACCESS_KEY|CREDENTIAL/i;

/**
 * The test environment: variables that point at a service become `{service.field}`, so each
 * run fills in the address of its own service; other database settings the CI job sets (an
 * engine name, `DB_ENGINE: postgres`) keep their literal value unless the name looks secret.
 */
export function testEnvFrom(
  variables: Readonly<Record<string, string>>,
  services: readonly ServiceKind[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    // Which database to use (`DB_ENGINE: postgres`) is a setting the tests need as it is.
    const chooser =
      /^(DB|DATABASE)(_(ENGINE|TYPE|DRIVER|BACKEND|VENDOR|DIALECT))?$|_DB_(ENGINE|TYPE|DRIVER)$/i.test(name);
    if (chooser) {
      if (value && !value.includes("${{") && !SECRET_NAME.test(name) && !/\n/.test(value)) out[name] = value;
      continue;
    }
    // A switch (`DEBUG_DATABASE=False`) names no part of an address.
    if (/^(true|false|yes|no|on|off)$/i.test(value.trim())) continue;
    const shape = variableShape(name, services);
    if (shape) out[name] = `{${shape.kind}.${shape.field}}`;
  }
  return out;
}

const ENV_FILES = [".env.test", "src/.env.test", ".env.testing", ".env.ci", "test/.env", "tests/.env"];
const EXAMPLE_FILES = [".env.example", ".env.sample", ".env.dist", "example.env", ".env.template"];

/** `NAME=value` lines of the first test environment file in the app, then at the root, then an example file. */
export async function envFileVariables(
  files: ProjectFiles,
  appPath: string,
): Promise<{ variables: Record<string, string>; file: string } | null> {
  const dirs = appPath === "." ? ["."] : [appPath, "."];
  for (const names of [ENV_FILES, EXAMPLE_FILES]) {
    for (const dir of dirs) {
      for (const name of names) {
        const file = dir === "." ? name : `${dir}/${name}`;
        const text = await files.text(file);
        if (text === null) continue;
        const variables: Record<string, string> = {};
        for (const line of text.split(/\r?\n/)) {
          const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
          if (m && m[2]!.trim() !== "") variables[m[1]!] = m[2]!.trim().replace(/^["']|["']$/g, "");
        }
        return { variables, file };
      }
    }
  }
  return null;
}
