import type { ServiceKind } from "../config/schema.js";

/** The parts of a service's address a test environment may name: `{postgres.host}` and so on. */
export const SERVICE_FIELDS = ["url", "host", "port", "user", "password", "database"] as const;
export type ServiceField = (typeof SERVICE_FIELDS)[number];

/** Where one running service answers, and the credentials the tests use. */
export interface ServiceAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Everything in a test environment value that names a service field. */
const PLACEHOLDER = /\{(postgres|redis|mysql|mongodb)\.(url|host|port|user|password|database)\}/g;

/** `{name.field}` written with a name or field shipgate does not know; reported by the config checks. */
const ANY_PLACEHOLDER = /\{([a-z]+)\.([a-z]+)\}/g;

export function serviceUrl(kind: ServiceKind, a: ServiceAddress): string {
  const auth = a.user ? `${encodeURIComponent(a.user)}:${encodeURIComponent(a.password)}@` : "";
  switch (kind) {
    case "postgres":
      return `postgresql://${auth}${a.host}:${a.port}/${a.database}`;
    case "mysql":
      return `mysql://${auth}${a.host}:${a.port}/${a.database}`;
    case "redis":
      return `redis://${auth}${a.host}:${a.port}/${a.database}`;
    case "mongodb":
      return `mongodb://${auth}${a.host}:${a.port}/${a.database}`;
  }
}

function field(kind: ServiceKind, name: ServiceField, a: ServiceAddress): string {
  return name === "url" ? serviceUrl(kind, a) : String(a[name]);
}

/**
 * A test environment with every `{service.field}` replaced by that service's address. A
 * placeholder for a service that is not running is left as it is; `unknownPlaceholders` says
 * which those are, so configuration checks can name them before anything runs.
 */
export function resolveTestEnv(options: {
  testEnv: Readonly<Record<string, string>>;
  addresses: Partial<Record<ServiceKind, ServiceAddress>>;
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.testEnv)) {
    out[name] = value.replace(PLACEHOLDER, (whole, kind: ServiceKind, part: ServiceField) => {
      const address = options.addresses[kind];
      return address ? field(kind, part, address) : whole;
    });
  }
  return out;
}

/** Placeholders in a value that name no known service field, or a service the app does not list. */
export function unknownPlaceholders(value: string, services: readonly ServiceKind[]): string[] {
  const unknown: string[] = [];
  for (const [whole, kind, part] of value.matchAll(ANY_PLACEHOLDER)) {
    const known =
      (services as readonly string[]).includes(kind!) &&
      (SERVICE_FIELDS as readonly string[]).includes(part!);
    if (!known) unknown.push(whole);
  }
  return unknown;
}
