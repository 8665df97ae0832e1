import type { TargetType } from "../config/schema.js";
import type { DetectedField, Detection } from "../detect/types.js";
import { comment, item, listPair, pair, section } from "./yaml-lines.js";

const COMMAND_ORDER = ["install", "lint", "typecheck", "test", "build"] as const;

/**
 * The comment above a detected value: where it was read, or "Replace:" and why it is a guess.
 * Every value init could not read from the repository carries the second form, so nothing
 * invented looks detected.
 */
export function provenance(d: Detection, field: DetectedField, depth: number, what?: string): string[] {
  const doubt = d.unsure[field];
  if (doubt) return comment(depth, `Replace${what ? ` ${what}` : ""}: ${doubt}.`);
  const source = d.sources[field];
  return source ? comment(depth, `From ${source}.`) : [];
}

/** The `app:` section: how CI installs, checks, builds and starts the service, and what its tests need. */
export function appSection(d: Detection, name: string): string[] {
  const lines = [
    ...comment(0, "The service: how CI installs, checks, builds and starts it."),
    section(0, "app"),
  ];
  lines.push(pair(1, "name", name));
  if (d.apps.length > 1) {
    lines.push(...comment(1, "Commands run in this folder; the workflows live at the repository root."));
    if (d.appReason) lines.push(...comment(1, `${capitalized(d.appReason)}.`));
  }
  if (d.buildModule) {
    lines.push(
      ...comment(
        1,
        `A module of the root ${d.packageManager ?? "JVM"} build: its commands run at the build's root.`,
      ),
      pair(1, "path", d.buildModule),
      pair(1, "buildRoot", d.appPath),
    );
  } else lines.push(pair(1, "path", d.appPath));
  if (d.language) {
    lines.push(pair(1, "language", d.language));
  } else {
    lines.push(...comment(1, "Replace: nothing recognisable was found; set node, python, go, rust or java."));
    lines.push(pair(1, "language", "node"));
  }
  if (d.packageManager) lines.push(pair(1, "packageManager", d.packageManager));
  if (d.languageVersion) {
    lines.push(...provenance(d, "languageVersion", 1), pair(1, "languageVersion", d.languageVersion));
    if (d.versionFile) {
      lines.push(
        ...comment(1, "CI reads the runtime version from this file, so it matches local development."),
      );
      lines.push(pair(1, "versionFile", d.versionFile));
    }
  } else {
    lines.push(
      ...comment(1, 'Replace: nothing pins the runtime; e.g. languageVersion: "22" or versionFile: .nvmrc'),
      "",
    );
  }

  const commands = COMMAND_ORDER.filter((c) => d.commands[c]);
  if (commands.length) {
    lines.push(...comment(1, "One CI job per command, run in parallel. Delete a line to drop that check."));
    lines.push(section(1, "commands"));
    for (const c of commands) lines.push(...provenance(d, c, 2), pair(2, c, d.commands[c]!));
  } else {
    lines.push(...comment(1, "Replace: no commands were found. Add the ones CI should run, for example:"));
    lines.push(...comment(1, "commands:", "  install: npm ci", "  test: npm test"), "");
  }
  if (d.setup.length) {
    lines.push(...comment(1, "Run on every CI runner after the runtime is set up, before install."));
    lines.push(...provenance(d, "setup", 1), section(1, "setup"));
    for (const command of d.setup) lines.push(item(2, command));
  }
  if (d.start) {
    lines.push(...comment(1, "Starts one instance; on the local target it receives PORT."));
    lines.push(...provenance(d, "start", 1), pair(1, "start", d.start));
  } else {
    lines.push(...comment(1, `Replace: ${d.unsure.start ?? "no start command found"}.`));
    lines.push(...comment(1, "start: the command that starts one instance listening on $PORT"), "");
  }
  if (d.port) lines.push(...provenance(d, "port", 1), pair(1, "port", d.port));
  lines.push(...comment(1, "Liveness (the process is up); deploys fail when it does not answer 2xx."));
  lines.push(
    ...provenance(d, "healthPath", 1, "with your health endpoint"),
    pair(1, "healthPath", d.healthPath),
  );
  if (d.readyPath) {
    lines.push(...comment(1, "Readiness (it can take traffic: database reachable)."));
    lines.push(...provenance(d, "readyPath", 1), pair(1, "readyPath", d.readyPath));
  } else {
    lines.push(...comment(1, "readyPath: no readiness endpoint was found; set it when the app has one"), "");
  }
  if (d.services.length) {
    lines.push(...comment(1, "Started for the tests as CI service containers."));
    lines.push(
      ...provenance(d, "services", 1),
      ...comment(1, `Found: ${d.services.map((s) => `${s.kind} (${s.source})`).join(", ")}.`),
    );
  } else {
    lines.push(
      ...comment(
        1,
        "Databases the tests need, started as CI service containers: postgres, redis, mysql, mongodb.",
      ),
    );
  }
  lines.push(listPair(1, "services", [...new Set(d.services.map((s) => s.kind))]));
  const env = Object.entries(d.testEnv);
  if (env.length) {
    lines.push(
      ...comment(
        1,
        "Variables the tests read to find those services; {postgres.url} and the like are filled in by CI.",
      ),
      ...provenance(d, "testEnv", 1),
      section(1, "testEnv"),
    );
    for (const [key, value] of env) lines.push(pair(2, key, value));
  }
  return lines;
}

export function artifactSection(d: Detection, target: TargetType): string[] {
  const lines = comment(
    0,
    "Built once per commit and promoted unchanged: production runs exactly what staging tested.",
  );
  lines.push(section(0, "artifact"));
  if (target === "local") {
    lines.push(...comment(1, "A tarball of the built app; the local target needs no registry."));
    lines.push(pair(1, "type", "tarball"));
    return lines;
  }
  lines.push(pair(1, "type", "container"));
  if (d.dockerfile) lines.push(...provenance(d, "dockerfile", 1), pair(1, "dockerfile", d.dockerfile));
  else {
    lines.push(...comment(1, "Replace: no Dockerfile was found; add one at this path."));
    lines.push(pair(1, "dockerfile", d.appPath === "." ? "Dockerfile" : `${d.appPath}/Dockerfile`));
  }
  const context = d.dockerContext ?? d.appPath;
  if (context !== ".") lines.push(pair(1, "context", context));
  if (d.dockerTarget)
    lines.push(
      ...comment(1, "The Dockerfile stage the service's image is."),
      pair(1, "target", d.dockerTarget),
    );
  lines.push(
    ...comment(
      1,
      target === "ecs" ? "ECR: ECS pulls from it with the task's own role." : "GitHub Container Registry.",
    ),
    pair(1, "registry", target === "ecs" ? "ecr" : "ghcr"),
  );
  return lines;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
