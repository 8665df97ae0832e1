/**
 * What a Dockerfile says about the service it builds: the last stage's start command, port,
 * health check and the system packages it installs. Read as text: instructions are joined
 * across `\` continuations, `ENV`/`ARG` defaults of the last stage resolve `$VAR` in EXPOSE.
 */

export interface Instruction {
  keyword: string;
  /** The arguments as written, continuations joined. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

export interface DockerfileFacts {
  /** ENTRYPOINT and CMD of the last stage, as one command (wrappers such as tini dropped). */
  start: string | null;
  /** The port the last stage exposes for HTTP (see servicePort). */
  port: number | null;
  /** Whether that port is a build argument's default (`EXPOSE ${PORT}`): each build may set another. */
  portFromArgument: boolean;
  /** HEALTHCHECK's command, `NONE` excluded. */
  healthcheck: { command: string; line: number } | null;
  /** Debian/Alpine packages any stage installs, in order. */
  systemPackages: string[];
  /** The images the stages are built `FROM` (not earlier stages), with their lines, in order. */
  baseImages: Array<{ image: string; line: number }>;
}

/** Official images of each language's toolchain, and where their tag says its version. */
const TOOLCHAIN_IMAGES: ReadonlyArray<{ language: string; image: RegExp }> = [
  { language: "node", image: /^node:(\d+(?:\.\d+){0,2})\b/ },
  { language: "python", image: /^python:(\d+\.\d+(?:\.\d+)?)\b/ },
  { language: "go", image: /^golang:(\d+\.\d+(?:\.\d+)?)\b/ },
  { language: "rust", image: /^rust:(\d+\.\d+(?:\.\d+)?)\b/ },
  {
    language: "java",
    image:
      /^(?:eclipse-temurin|openjdk|amazoncorretto|maven:[\w.]*-(?:eclipse-temurin|openjdk|amazoncorretto)|gradle:[\w.]*-jdk)[:-](\d+)\b/,
  },
];

/**
 * The language version an image is built on (`FROM node:22-alpine` → 22), from the first stage
 * built on the language's official image: the stage that builds the app.
 */
export function toolchainVersion(
  facts: DockerfileFacts,
  language: string,
): { version: string; line: number; image: string } | null {
  const patterns = TOOLCHAIN_IMAGES.filter((t) => t.language === language);
  for (const { image, line } of facts.baseImages) {
    const name = image.replace(/^(?:[\w.-]+\.[a-z]+(?::\d+)?\/)?(?:library\/)?/, "");
    for (const pattern of patterns) {
      const version = pattern.image.exec(name)?.[1];
      if (version) return { version, line, image };
    }
  }
  return null;
}

export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^\s*(#|$)/.test(raw)) continue;
    const start = i;
    let joined = raw;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      // Comment lines inside a continued instruction are dropped by the builder too.
      if (/^\s*#/.test(next)) {
        joined = `${joined.replace(/\\\s*$/, "")}\\`;
        continue;
      }
      joined = `${joined.replace(/\\\s*$/, " ")}${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  return out;
}

/** `["node", "server.js"]` → `node server.js`; shell form is returned as written. */
export function commandText(args: string): string {
  const trimmed = args.trim();
  if (trimmed.startsWith("[")) {
    try {
      const list = JSON.parse(trimmed) as unknown;
      if (Array.isArray(list) && list.every((x) => typeof x === "string")) {
        return list.map((word) => (/\s/.test(word) ? JSON.stringify(word) : word)).join(" ");
      }
    } catch {
      // Not valid JSON: the builder runs it as a shell command, and so is it read.
    }
  }
  return trimmed.replace(/\s+/g, " ");
}

/** Init processes and entry scripts that only pass CMD on: the service is CMD. */
const WRAPPERS =
  /^(\/usr\/bin\/|\/usr\/local\/bin\/|\/sbin\/|\/bin\/)?(tini|dumb-init|gosu \S+|su-exec \S+|\/init|docker-entrypoint(\.sh)?|\S*entrypoint(\.sh)?)(\s+--)?$/;

/**
 * The service inside its start command's wrappers: an init process with the command after `--`
 * (`tini -- /app/boot.sh`), and a shell that only execs it (`sh -c "exec java -jar app.jar \"$@\"" --`).
 */
function unwrapStart(start: string): string {
  let command = start.replace(
    /^(\/usr\/bin\/|\/usr\/local\/bin\/|\/sbin\/|\/bin\/)?(tini|dumb-init)(\s+--)?\s+(?=\S)/,
    "",
  );
  const shell = /^(?:\/bin\/)?(?:sh|bash) -c "(.*)"(?:\s+--?\S*)?$/.exec(command);
  if (shell) command = shell[1]!.replace(/\\"/g, '"');
  return command.replace(/^exec\s+/, "").replace(/\s+"\$@"$/, "");
}

/**
 * The facts of the stage an image is built from: `target` when a build names one, else the last
 * stage. A stage built `FROM` an earlier one inherits its CMD, EXPOSE and the rest, so the chain
 * of stages is read base first.
 */
/** Ports of protocols other than HTTP: SSH, mail, DNS, LDAP, databases, brokers. */
const NOT_HTTP = new Set([
  22, 25, 53, 110, 143, 389, 465, 587, 636, 993, 995, 1883, 3306, 3890, 5432, 5672, 6360, 6379, 27017,
]);

/**
 * The port the service answers HTTP on, of those the stage exposes: the one its HEALTHCHECK
 * requests, else one a variable names for HTTP (`EXPOSE ${LDAP_PORT} ${HTTP_PORT}`), else the
 * first of the last EXPOSE that is not SSH, LDAP or a database (a stage that adds its own after a
 * base's 80 names the app's; `EXPOSE 22 3000` serves on 3000).
 */
function servicePort(
  stage: readonly Instruction[],
  resolve: (word: string) => string,
  healthcheck: string | undefined,
): { port: number | null; portFromArgument: boolean } {
  const exposes = stage
    .filter((ins) => ins.keyword === "EXPOSE")
    .map((ins) =>
      ins.args
        .split(/\s+/)
        .map((written) => ({ written, port: Number.parseInt(resolve(written), 10) }))
        .filter(({ port }) => Number.isInteger(port) && port > 0 && port < 65536),
    )
    .filter((ports) => ports.length > 0);
  const all = exposes.flat();
  const checked = healthcheck
    ? /(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\]):(\d{2,5})\b/.exec(healthcheck)?.[1]
    : undefined;
  const chosen =
    all.find((p) => String(p.port) === checked) ??
    all.find((p) => /\$\{?\w*(HTTP|WEB)\w*/i.test(p.written)) ??
    exposes.at(-1)?.find((p) => !NOT_HTTP.has(p.port)) ??
    exposes.at(-1)?.[0];
  return chosen
    ? { port: chosen.port, portFromArgument: chosen.written.includes("$") }
    : { port: null, portFromArgument: false };
}

/** The first word of a CMD that is a subcommand of the entry point's program, not a program. */
const SUBCOMMAND = /^(run|serve|server|start|web|worker|daemon|api|agent)(\s|$)/;

export function dockerfileFacts(text: string, options: { target?: string | null } = {}): DockerfileFacts {
  const all = parseInstructions(text);
  const last = stageChain(all, options.target ?? null);
  const vars = new Map<string, string>();
  for (const ins of last) {
    if (ins.keyword === "ENV" || ins.keyword === "ARG") {
      for (const [name, value] of assignments(ins.args)) vars.set(name, value);
    }
  }
  const resolve = (word: string) =>
    word.replace(/\$\{?(\w+)(?::?-([^}]*))?\}?/g, (_, name: string, fallback?: string) => {
      return vars.get(name) ?? fallback ?? "";
    });

  const entrypoint = [...last].reverse().find((ins) => ins.keyword === "ENTRYPOINT");
  const cmd = [...last].reverse().find((ins) => ins.keyword === "CMD");
  const entry = entrypoint ? commandText(entrypoint.args) : "";
  const command = cmd ? commandText(cmd.args) : "";
  let start: string | null;
  // An entry script with a one-word CMD (`docker-entrypoint server`) is one command; with a full
  // command as CMD (`./listmonk`), the script only prepares and hands over.
  const argument =
    (/^[\w-]+$/.test(command) && !/^(node|python3?|java|npm|yarn|pnpm|bun|sh|bash)$/.test(command)) ||
    // …or a subcommand with its options (`run --config-file /data/config.toml`), which only the
    // entry script's program understands.
    SUBCOMMAND.test(command);
  if (entry && (!WRAPPERS.test(entry) || (argument && !/tini|dumb-init|gosu|su-exec|^\/init$/.test(entry)))) {
    start = command ? `${entry} ${command}` : entry;
  } else start = command || null;
  if (start) start = unwrapStart(start);

  const health = [...last].reverse().find((ins) => ins.keyword === "HEALTHCHECK");
  let healthcheck: DockerfileFacts["healthcheck"] = null;
  if (health && !/^NONE\b/i.test(health.args)) {
    const m = /\bCMD\s+(.*)$/i.exec(health.args);
    if (m) healthcheck = { command: commandText(m[1]!), line: health.line };
  }
  const { port, portFromArgument } = servicePort(last, resolve, healthcheck?.command);

  const systemPackages: string[] = [];
  for (const ins of all) {
    if (ins.keyword !== "RUN") continue;
    for (const m of ins.args.matchAll(/\b(?:apt-get|apt|apk)\s+(?:install|add)\b([^;&|]*)/g)) {
      for (const word of m[1]!.split(/\s+/)) {
        if (word && !word.startsWith("-") && !word.includes("$") && !systemPackages.includes(word)) {
          systemPackages.push(word.replace(/=.*$/, ""));
        }
      }
    }
  }
  const stageNames = new Set<string>();
  const baseImages: DockerfileFacts["baseImages"] = [];
  for (const ins of all) {
    if (ins.keyword !== "FROM") continue;
    const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args);
    const image = (m?.[1] ?? "").toLowerCase();
    if (image && !stageNames.has(image) && !image.includes("$")) baseImages.push({ image, line: ins.line });
    if (m?.[2]) stageNames.add(m[2].toLowerCase());
  }
  return { start, port, portFromArgument, healthcheck, systemPackages, baseImages };
}

/** The instructions of one stage and of the stages it is built from, base first. */
function stageChain(all: readonly Instruction[], target: string | null): Instruction[] {
  const stages: Array<{ name: string | null; base: string; instructions: Instruction[] }> = [];
  for (const ins of all) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args);
      stages.push({
        name: m?.[2]?.toLowerCase() ?? null,
        base: (m?.[1] ?? "").toLowerCase(),
        instructions: [ins],
      });
    } else stages.at(-1)?.instructions.push(ins);
  }
  if (!stages.length) return [...all];
  // Without a target, a stage named for production is the image people deploy (later ones are often tests).
  const preferred = target
    ? stages.find((s) => s.name === target.toLowerCase())
    : stages.find((s) => s.name !== null && /^(production|prod|release|runtime|final)$/.test(s.name));
  let stage = preferred ?? stages.at(-1)!;
  const chain = [stage.instructions];
  for (let depth = 0; depth < stages.length; depth++) {
    const parent = stages.find((s) => s.name !== null && s.name === stage.base);
    if (!parent || parent === stage) break;
    chain.unshift(parent.instructions);
    stage = parent;
  }
  return chain.flat();
}

/** `A=1 B="two words"` and the legacy `A 1` form. */
function assignments(args: string): Array<[string, string]> {
  const legacy = /^(\w+)\s+([^=]*)$/.exec(args);
  if (legacy) return [[legacy[1]!, legacy[2]!.trim()]];
  const out: Array<[string, string]> = [];
  for (const m of args.matchAll(/(\w+)(?:=("([^"]*)"|'([^']*)'|\S*))?/g)) {
    out.push([m[1]!, m[3] ?? m[4] ?? m[2] ?? ""]);
  }
  return out;
}
