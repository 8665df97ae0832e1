import { defineRule } from "../types.js";
import { type Command, commandsIn, locatedLines, regionInLine, type Token } from "./curl-pipe-shell.js";

/** curl's short options that take a value: in `-fsSLo file` the `o` ends the cluster. */
const CURL_SHORT_WITH_VALUE = new Set("AbcCdDeEFHKmoPQrtTuUwxXyYz");
/** Long options whose value is the next word (so it is not read as a flag or a URL). */
const LONG_WITH_VALUE =
  /^--(output|header|data|data-raw|data-binary|data-urlencode|form|user|request|user-agent|referer|cookie|cookie-jar|config|max-time|connect-timeout|retry|write-out|proxy|upload-file|output-document|post-data|password|http-password|http-user|user|directory-prefix|url)$/;

/**
 * Hosts that never leave the runner or its private network: loopback, service containers and
 * docker network aliases (single-label names), private and link-local addresses, and internal
 * suffixes. Plain http to them is not a download from the internet.
 */
function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (!h.includes(".") && !h.includes(":")) return true; // localhost, postgres, app, ...
  if (h === "::1" || h === "0.0.0.0" || h === "host.docker.internal") return true;
  if (/^(127|10)\.\d+\.\d+\.\d+$/.test(h) || /^192\.168\.\d+\.\d+$/.test(h) || /^169\.254\.\d+\.\d+$/.test(h))
    return true;
  if (/^172\.(1[6-9]|2\d|3[01])\.\d+\.\d+$/.test(h)) return true;
  return /\.(localhost|local|internal|svc|cluster\.local|test)$/.test(h);
}

/** The host of a plain-http URL, or undefined when it is not one or is not literal (`http://$HOST`). */
function httpHost(value: string): string | undefined {
  const url = /^(?:--?[\w-]+=)?http:\/\/([^/?#\s]*)/i.exec(value);
  if (!url) return undefined;
  const authority = url[1]!.replace(/^.*@/, "");
  if (!authority || /[$`{]/.test(authority)) return undefined;
  const host = authority.startsWith("[")
    ? authority.slice(0, authority.indexOf("]") + 1)
    : authority.split(":")[0]!;
  return host;
}

interface Problem {
  token: Token;
  message: string;
}

/** The options of a curl/wget command, each word with what it is. */
function* options(command: Command, tool: "curl" | "wget") {
  const args = command.args;
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    const v = token.value;
    if (v.startsWith("--")) {
      const takesValue = !v.includes("=") && LONG_WITH_VALUE.test(v);
      yield { token, long: v, value: takesValue ? args[i + 1] : undefined, short: "", positional: false };
      if (takesValue) i++;
    } else if (/^-[a-zA-Z0-9#]/.test(v)) {
      // A short cluster: every letter is a flag until one that takes a value.
      let short = "";
      let value: Token | undefined;
      for (let j = 1; j < v.length; j++) {
        const c = v[j]!;
        short += c;
        const withValue = tool === "curl" ? CURL_SHORT_WITH_VALUE.has(c) : /[oOPaiBeTtwUlARDXI]/.test(c);
        if (withValue) {
          value = j + 1 < v.length ? { ...token, value: v.slice(j + 1) } : args[++i];
          break;
        }
      }
      yield { token, long: "", value, short, positional: false };
    } else {
      yield { token, long: "", value: undefined, short: "", positional: true };
    }
  }
}

/**
 * Whether the downloaded body is kept or run: saved to a file, piped, captured with `$( )`,
 * or any wget without --spider / -O /dev/null. A probe whose body is printed or thrown away
 * (`curl -fsS http://host/health`) is not a download.
 */
function keepsBody(command: Command, tool: "curl" | "wget"): boolean {
  const usedByShell = command.terminator === "|" || /(\$\(|`)\s*$/.test(command.before);
  let kept = tool === "wget" || usedByShell;
  const keptIn = (out: string | undefined) => out !== "/dev/null" && (out !== "-" || usedByShell);
  for (const o of options(command, tool)) {
    const out = o.value?.value;
    if (tool === "curl") {
      if (o.short.includes("O") || /^--(remote-name|remote-name-all)$/.test(o.long)) kept = true;
      if (o.short.endsWith("o") || o.long === "--output") kept = keptIn(out);
      if (/^--output=/.test(o.long)) kept = keptIn(o.long.slice("--output=".length));
    } else {
      if (o.long === "--spider") return false;
      if (o.short.endsWith("O") || o.long === "--output-document") kept = keptIn(out);
      if (/^--output-document=/.test(o.long)) kept = keptIn(o.long.slice("--output-document=".length));
    }
  }
  for (const token of command.args) {
    const redirect = /^(1?>>?)(.*)$/.exec(token.value);
    if (redirect) {
      const target = redirect[2] || command.args[command.args.indexOf(token) + 1]?.value;
      if (target && target !== "/dev/null") kept = true;
    }
  }
  return kept;
}

/** Whether the command sends credentials (which plain http shows to anyone on the path). */
function sendsCredentials(command: Command): boolean {
  return command.args.some(
    (t, i) =>
      /\$\{\{\s*secrets\./.test(t.value) ||
      /^(-u|--user|--http-password|--password|--oauth2-bearer)$/.test(t.value) ||
      /^(-u.|--user=|--password=|--http-password=)/.test(t.value) ||
      (/^(-H|--header)$/.test(t.value) &&
        /^(authorization|cookie|private-token|x-api-key)\s*:/i.test(command.args[i + 1]?.value ?? "")) ||
      /^--header=(authorization|cookie|private-token|x-api-key)\s*:/i.test(t.value),
  );
}

function problems(command: Command, tool: "curl" | "wget"): Problem[] {
  const out: Problem[] = [];
  for (const o of options(command, tool)) {
    if (tool === "curl" && (o.long === "--insecure" || o.short.includes("k"))) {
      out.push({
        token: o.token,
        message: `curl ${o.token.value} turns off TLS certificate checks: anyone on the network path can serve their own file. Remove it, and if the server uses a private CA, pass it with --cacert`,
      });
    }
    if (tool === "wget" && o.long === "--no-check-certificate") {
      out.push({
        token: o.token,
        message:
          "wget --no-check-certificate turns off TLS certificate checks: anyone on the network path can serve their own file. Remove it, and if the server uses a private CA, pass it with --ca-certificate",
      });
    }
  }
  // URLs are the command's operands (and --url): a proxy or a referer over http is no download.
  const operands = [...options(command, tool)].flatMap((o) =>
    o.positional || o.long.startsWith("--url=") ? [o.token] : o.long === "--url" && o.value ? [o.value] : [],
  );
  const urls = operands.flatMap((token) => {
    const host = httpHost(token.value);
    return host && !isLocalHost(host) ? [{ token, host }] : [];
  });
  const credentials = sendsCredentials(command);
  if (urls.length && (credentials || keepsBody(command, tool))) {
    for (const { token, host } of urls) {
      out.push({
        token,
        message: credentials
          ? `${tool} sends credentials to ${host} over plain http: anyone on the network path can read them. Use https://`
          : `${tool} downloads from ${host} over plain http: anyone on the network path can replace the file. Use https:// (and verify a checksum for anything you run)`,
      });
    }
  }
  return out;
}

export const insecureDownload = defineRule({
  meta: {
    id: "insecure-download",
    name: "Download without working TLS",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports `curl -k`/`--insecure`, `wget --no-check-certificate`, and files downloaded (or credentials sent) over plain `http://` from hosts outside the runner's network.",
    fixable: false,
  },
  step(step, _job, ctx) {
    if (!step.run) return;
    const source = ctx.workflow.source;
    for (const line of locatedLines(source, step.run)) {
      for (const tool of ["curl", "wget"] as const) {
        for (const command of commandsIn(line.text, new RegExp(tool))) {
          for (const { token, message } of problems(command, tool)) {
            const needle = token.raw.replace(/^["']|["']$/g, "");
            ctx.report({
              node: step.run.node,
              region: regionInLine(source, step.run.node, line, needle, token.at + token.raw.indexOf(needle)),
              key: `${tool} ${token.value}`,
              message,
            });
          }
        }
      }
    }
  },
});
