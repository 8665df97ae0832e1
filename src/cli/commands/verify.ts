import { inputError } from "../../errors.js";
import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

interface VerifyFlags {
  smoke?: string;
  healthPath: string;
  readyPath: string;
  ready: boolean;
  deadline: string;
  timeout: string;
  retryDelay: string;
  header: string[];
  json?: boolean;
}

export const registerVerify: RegisterCommand = (program, ctx) => {
  program
    .command("verify")
    .description("check a deployed release: wait until it is healthy and ready, then run smoke checks")
    .argument("<base-url>", "address of the release, such as https://canary.example.com")
    .option("--smoke <file>", "YAML file of smoke checks (see docs/verify.md)")
    .option("--health-path <path>", "health endpoint", "/health")
    .option("--ready-path <path>", "readiness endpoint", "/ready")
    .option("--no-ready", "skip the readiness probe")
    .option("--deadline <duration>", "how long health and readiness may take in total", "5m")
    .option("--timeout <duration>", "time limit of one request", "5s")
    .option("--retry-delay <duration>", "first wait between attempts; doubles up to 15s", "1s")
    .option(
      "--header <header>",
      'request header "Name: value" sent with every request (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--json", "print the report as JSON")
    .action(async (baseUrl: string, flags: VerifyFlags) => {
      const { parseDuration, renderProgress, renderReport, verifyRelease } = await import(
        "../../verify/index.js"
      );
      const duration = (flag: string, value: string) => {
        const ms = parseDuration(value);
        if (ms === undefined || ms <= 0) {
          throw inputError("verify/duration", `invalid ${flag} "${value}"`, {
            hint: "use a number followed by ms, s or m, such as 500ms, 30s or 5m",
          });
        }
        return ms;
      };
      const report = await verifyRelease({
        baseUrl,
        healthPath: flags.healthPath,
        readyPath: flags.ready ? flags.readyPath : null,
        ...(flags.smoke && { smokeFile: flags.smoke, cwd: ctx.io.cwd }),
        deadlineMs: duration("--deadline", flags.deadline),
        attemptTimeoutMs: duration("--timeout", flags.timeout),
        initialDelayMs: duration("--retry-delay", flags.retryDelay),
        headers: parseHeaders(flags.header),
        onProgress: (event) => ctx.io.stderr.write(`${renderProgress(event)}\n`),
      });
      ctx.io.stdout.write(
        flags.json
          ? `${redact(JSON.stringify(report, null, 2))}\n`
          : renderReport({ report, color: ctx.io.color }),
      );
      ctx.exitCode = report.ok ? EXIT_OK : EXIT_FAILED;
    });
};

/** `Name: value` flags; the value may contain colons (`Authorization: Basic a:b`). */
function parseHeaders(values: string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const value of values) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/.exec(value);
    if (!match) {
      throw inputError("verify/header", `invalid --header "${value}"`, {
        hint: 'write it as "Name: value", such as --header "Authorization: Bearer $TOKEN"',
      });
    }
    // fetch builds its headers from plain objects, where this name sets the prototype: the
    // header would silently not be sent.
    const name = match[1]!.toLowerCase();
    if (name === "__proto__") {
      throw inputError("verify/header", `--header "${value}": a header cannot be named __proto__`, {
        hint: "no server expects this header; remove it",
      });
    }
    headers[name] = match[2]!.trim();
  }
  return headers;
}
