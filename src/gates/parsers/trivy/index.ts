import { createReadStream } from "node:fs";
import parserStream from "stream-json";
import type { Token } from "stream-json/parser.js";
import { z } from "zod";
import type { VulnSeverity } from "../../../config/schema.js";
import { isShipgateError } from "../../../errors.js";
import { describeIssue, shapeError, tooDeep, verifierLocation } from "../../json.js";
import { locateInFile } from "../../json-locate.js";
import { readHead } from "../../read-text.js";
import { malformedReport } from "../../report-errors.js";
import { severityFromWord } from "../../severity.js";
import type { VulnFinding, VulnReport } from "../../types.js";
import { createTrivyWalker, TrivyShapeError, type TrivyTop } from "./walk.js";

/** `trivy image|fs|repo --format json` (schema version 2, Trivy 0.20 and later). */
export const id = "trivy";
export const kind = "vulns";
export const label = "Trivy JSON";

export function sniff(head: string): boolean {
  return (
    /^\s*\{\s*"SchemaVersion"\s*:\s*\d/.test(head) ||
    (/"ArtifactName"\s*:/.test(head) && /"SchemaVersion"\s*:/.test(head))
  );
}

const Vulnerability = z.object({
  VulnerabilityID: z.string().min(1),
  PkgName: z.string().optional(),
  InstalledVersion: z.string().optional(),
  FixedVersion: z.string().optional(),
  Severity: z.string(),
  Title: z.string().optional(),
  PrimaryURL: z.string().optional(),
});

export async function parse(file: string): Promise<VulnReport> {
  await readHead(file); // missing and empty files get their own messages
  const findings: VulnFinding[] = [];
  let unknown = 0;
  const walker = createTrivyWalker({
    vulnerability(value, where) {
      const path = ["Results", where.result, "Vulnerabilities", where.index];
      const result = Vulnerability.safeParse(value);
      if (!result.success) {
        const issue = describeIssue(result.error.issues[0]!);
        throw new TrivyShapeError({ path: [...path, ...issue.path] }, issue.what);
      }
      const v = result.data;
      const severity: VulnSeverity | undefined = severityFromWord(v.Severity);
      if (!severity) {
        throw new TrivyShapeError(
          { path: [...path, "Severity"] },
          `"${v.Severity}" is not a Trivy severity (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)`,
        );
      }
      if (v.Severity.toUpperCase() === "UNKNOWN") unknown += 1;
      findings.push({
        id: detach(v.VulnerabilityID),
        aliases: [],
        severity,
        reportedSeverity: detach(v.Severity),
        ...(v.PkgName && { package: detach(v.PkgName) }),
        ...(v.InstalledVersion && { installedVersion: detach(v.InstalledVersion) }),
        ...(v.FixedVersion && { fixedVersion: detach(v.FixedVersion) }),
        ...(v.Title && { title: detach(v.Title) }),
        ...(v.PrimaryURL && { url: detach(v.PrimaryURL) }),
        ...(where.target && { target: detach(where.target) }),
      });
    },
  });
  let top: TrivyTop;
  try {
    await new Promise<void>((resolve, reject) => {
      const input = createReadStream(file);
      // Packed values only: the walker never needs a string in pieces.
      const tokens = input.pipe(parserStream({ packValues: true, streamValues: false }));
      const stop = (error: unknown) => {
        input.destroy();
        tokens.destroy();
        reject(error);
      };
      input.on("error", stop);
      tokens.on("error", stop);
      tokens.on("data", (token: Token) => {
        try {
          walker.consume(token);
        } catch (error) {
          stop(error);
        }
      });
      tokens.on("end", resolve);
    });
    top = walker.top;
  } catch (error) {
    if (error instanceof TrivyShapeError) {
      const location = await locateInFile(file, error.where);
      if ("path" in error.where) throw shapeError(file, label, error.where.path, error.what, { location });
      throw tooDeep(file, label, location);
    }
    if (isShipgateError(error)) throw error;
    throw malformedReport(
      file,
      label,
      `invalid JSON (${(error as Error).message.replace(/^Parser /, "parser ")})`,
      {
        location: await verifierLocation(file),
      },
    );
  }
  if (top.schemaVersion === undefined) {
    throw malformedReport(file, label, "no SchemaVersion at the top level", {
      hint: "write the report with `trivy … --format json --output <file>`",
    });
  }
  if (top.schemaVersion !== 2) {
    throw malformedReport(file, label, `SchemaVersion ${top.schemaVersion} is not supported (only 2)`, {
      hint: "use Trivy 0.20 or later, which writes schema version 2",
    });
  }
  const notes =
    unknown > 0
      ? [`${unknown} finding${unknown === 1 ? "" : "s"} with Trivy severity UNKNOWN counted as low`]
      : [];
  return { kind: "vulns", format: id, file, findings, notes };
}

/**
 * A copy of a string that shares no memory with the parser's input: V8 makes substrings
 * "sliced strings" that keep the whole 64 KB chunk they came from alive, so keeping a short
 * id from every chunk would keep the whole report in memory.
 */
function detach(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, "utf8").toString("utf8");
}
