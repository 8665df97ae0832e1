import type { Diagnostic } from "../errors.js";
import { unknownPlaceholders } from "../pipeline/service-values.js";
import { didYouMean } from "./did-you-mean.js";
import { metricTemplateDiagnostics } from "./metric-templates.js";
import { isRecord } from "./schema-walk.js";
import type { YamlLocator } from "./yaml-locate.js";

/**
 * Rules that span several keys and so cannot live in the per-field schema. They read the raw
 * data defensively (a value of the wrong type is zod's to report), so they run alongside the
 * schema and a user sees every problem in one pass.
 */
export function crossFieldDiagnostics(options: { data: unknown; locator: YamlLocator }): Diagnostic[] {
  return [...testEnvPlaceholders(options), ...environmentDiagnostics(options)];
}

/**
 * `{postgres.host}` in app.testEnv must name a service the app lists and a field of its address:
 * anything else would reach the tests as literal text.
 */
function testEnvPlaceholders(options: { data: unknown; locator: YamlLocator }): Diagnostic[] {
  const { data, locator } = options;
  const app = isRecord(data) ? data.app : undefined;
  if (!isRecord(app) || !isRecord(app.testEnv)) return [];
  const services = Array.isArray(app.services)
    ? app.services.filter(
        (s): s is "postgres" | "redis" | "mysql" | "mongodb" =>
          s === "postgres" || s === "redis" || s === "mysql" || s === "mongodb",
      )
    : [];
  return Object.entries(app.testEnv).flatMap(([name, value]) => {
    if (typeof value !== "string") return [];
    return unknownPlaceholders(value, services).map((placeholder) => ({
      code: "config/invalid",
      message: `app.testEnv.${name} names ${placeholder}, which is not a field of a service in app.services`,
      location: locator.valueAt(["app", "testEnv", name]),
      hint: `list the service in app.services, or use one of {<service>.url}, .host, .port, .user, .password, .database with a service of ${services.length ? services.join(", ") : "app.services"}`,
    }));
  });
}

function environmentDiagnostics(options: { data: unknown; locator: YamlLocator }): Diagnostic[] {
  const { data, locator } = options;
  if (!isRecord(data) || !isRecord(data.environments)) return [];
  const environments = Object.entries(data.environments).filter(
    (entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]),
  );
  const names = Object.keys(data.environments);
  if (names.length === 0) {
    return [
      {
        code: "config/invalid",
        message: "no environments are defined",
        location: locator.valueAt(["environments"]),
        hint: "add at least one environment under environments, e.g. staging with a target",
      },
    ];
  }
  return [
    ...unknownPromotions(environments, names, locator),
    ...promotionCycles(environments, names, locator),
    ...sharedLocalPorts(environments, locator),
    ...metricTemplateDiagnostics({ environments, locator }),
  ];
}

/** Far above any real pipeline; each environment is a deploy workflow of its own. */
export const MAX_ENVIRONMENTS = 256;

/**
 * More environments than any pipeline has: refused before the checks that compare every
 * environment with every other (promotions, did-you-mean), which grow with the square.
 */
export function environmentCountDiagnostics(options: { data: unknown; locator: YamlLocator }): Diagnostic[] {
  const { data, locator } = options;
  if (!isRecord(data) || !isRecord(data.environments)) return [];
  const names = Object.keys(data.environments);
  if (names.length <= MAX_ENVIRONMENTS) return [];
  return [
    {
      code: "config/too-many-environments",
      message: `${names.length} environments are defined; shipgate handles at most ${MAX_ENVIRONMENTS}`,
      location: locator.keyAt(["environments", names[MAX_ENVIRONMENTS]!]),
      hint: "split the service into several pipelines, or check that this is the file you meant to use",
    },
  ];
}

type Environments = ReadonlyArray<[string, Record<string, unknown>]>;

function unknownPromotions(environments: Environments, names: string[], locator: YamlLocator): Diagnostic[] {
  const known = new Set(names);
  return environments.flatMap(([name, env]) => {
    const from = env.promoteFrom;
    if (typeof from !== "string" || known.has(from)) return [];
    const others = names.filter((n) => n !== name);
    const suggestion = didYouMean({ input: from, candidates: others });
    return [
      {
        code: "config/invalid",
        message: `environments.${name}.promoteFrom names "${from}", which is not an environment`,
        location: locator.valueAt(["environments", name, "promoteFrom"]),
        hint: suggestion
          ? `did you mean "${suggestion}"?`
          : others.length
            ? `use one of: ${others.join(", ")}`
            : "remove promoteFrom and deploy this environment from a branch",
      },
    ];
  });
}

/** Each environment promotes from at most one other, so a cycle is found by following the chain. */
function promotionCycles(environments: Environments, names: string[], locator: YamlLocator): Diagnostic[] {
  const known = new Set(names);
  const source = new Map<string, string>();
  for (const [name, env] of environments) {
    if (typeof env.promoteFrom === "string" && known.has(env.promoteFrom)) source.set(name, env.promoteFrom);
  }
  const position = new Map(names.map((name, i) => [name, i]));
  // Each environment is walked once: a walk stops where an earlier one went, so each cycle is
  // found by the walk that enters it first.
  const visited = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const [start] of environments) {
    const step = new Map<string, number>();
    const walk: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !visited.has(current)) {
      visited.add(current);
      step.set(current, walk.length);
      walk.push(current);
      current = source.get(current);
    }
    if (current === undefined || !step.has(current)) continue;
    const cycle = walk.slice(step.get(current));
    // Report at the environment of the cycle that comes first in the file.
    const at = cycle.reduce(
      (best, name, i) => (position.get(name)! < position.get(cycle[best]!)! ? i : best),
      0,
    );
    const first = cycle[at]!;
    const ordered = [...cycle.slice(at), ...cycle.slice(0, at), first];
    diagnostics.push({
      code: "config/invalid",
      message: `promoteFrom forms a cycle (${ordered.join(" → ")}), so none of these environments can be deployed first`,
      location: locator.valueAt(["environments", first, "promoteFrom"]),
      hint: `let one of them deploy from a branch (branch: main) instead of promoteFrom`,
    });
  }
  return diagnostics;
}

/** Two local environments on one port would fight over the same router. */
function sharedLocalPorts(environments: Environments, locator: YamlLocator): Diagnostic[] {
  const owners = new Map<number, string>();
  const diagnostics: Diagnostic[] = [];
  const used = new Set<number>();
  for (const [, env] of environments) {
    if (isRecord(env.target) && typeof env.target.port === "number") used.add(env.target.port);
  }
  for (const [name, env] of environments) {
    const target = env.target;
    if (!isRecord(target) || target.type !== "local" || typeof target.port !== "number") continue;
    const owner = owners.get(target.port);
    if (owner === undefined) {
      owners.set(target.port, name);
      continue;
    }
    let free = target.port + 1;
    while (used.has(free) && free < 65535) free++;
    used.add(free);
    diagnostics.push({
      code: "config/invalid",
      message: `port ${target.port} of environments.${name}.target is already used by environments.${owner}`,
      location: locator.valueAt(["environments", name, "target", "port"]),
      hint: `give each local environment its own port, e.g. port: ${free}`,
    });
  }
  return diagnostics;
}
