import { z } from "zod";
import { checkShape, parseJson, shapeError } from "../../json.js";
import { locateInText } from "../../json-locate.js";
import { readReportText } from "../../read-text.js";
import { malformedReport } from "../../report-errors.js";
import { severityFromWord } from "../../severity.js";
import type { VulnFinding, VulnReport } from "../../types.js";

/** `npm audit --json` from npm 7 and later (auditReportVersion 2). */
export const id = "npm-audit";
export const kind = "vulns";
export const label = "npm audit JSON";

export function sniff(head: string): boolean {
  // npm 6's format (advisories/actions) and npm's failures are matched too, so they get an
  // error that says what happened.
  return (
    /^\s*\{\s*"auditReportVersion"\s*:/.test(head) ||
    (/^\s*\{\s*"(actions|advisories)"\s*:/.test(head) && /"muted"|"advisories"/.test(head)) ||
    /^\s*\{\s*"error"\s*:\s*\{\s*"code"\s*:\s*"E[A-Z0-9]+"/.test(head) ||
    (/^\s*\{\s*"message"\s*:/.test(head) && head.includes(AUDIT_ENDPOINT))
  );
}

/** The registry path npm audit posts to; npm's message when the request fails names it. */
const AUDIT_ENDPOINT = "/-/npm/v1/security/";

const Advisory = z.object({
  source: z.union([z.number(), z.string()]),
  name: z.string(),
  title: z.string().optional(),
  url: z.string().optional(),
  severity: z.string(),
});
const Vulnerability = z.object({
  name: z.string(),
  severity: z.string(),
  // A string names another vulnerable package this one depends on; that one has its own entry.
  via: z.array(z.union([z.string(), Advisory])),
  range: z.string().optional(),
  fixAvailable: z
    .union([
      z.boolean(),
      z.object({ name: z.string(), version: z.string(), isSemVerMajor: z.boolean().optional() }),
    ])
    .optional(),
});
const Report = z.object({
  auditReportVersion: z.literal(2),
  vulnerabilities: z.record(z.string(), Vulnerability),
});
const NpmError = z.object({ error: z.object({ code: z.string(), summary: z.string().optional() }) });
/** What npm writes when the registry's audit endpoint fails: the request's error, no code. */
const EndpointFailure = z.object({ message: z.string().includes(AUDIT_ENDPOINT) });

export async function parse(file: string): Promise<VulnReport> {
  const text = await readReportText(file);
  const data = await parseJson(file, text, label);
  const failed = NpmError.safeParse(data);
  if (failed.success) {
    const { code, summary } = failed.data.error;
    throw malformedReport(
      file,
      label,
      `npm audit failed instead of auditing (${code}: ${summary ?? "no summary"})`,
      {
        hint:
          code === "ENOLOCK"
            ? "npm audit needs a package-lock.json; run npm install --package-lock-only first"
            : "fix the npm error above and run npm audit --json again",
      },
    );
  }
  const unanswered = EndpointFailure.safeParse(data);
  if (unanswered.success) {
    throw malformedReport(file, label, `npm audit failed: ${unanswered.data.message}`, {
      hint: "the registry's audit endpoint did not answer, so nothing was audited; run npm audit again, and check that the registry (or the proxy in front of it) serves npm's audit API",
    });
  }
  if (data && typeof data === "object" && "advisories" in data && !("auditReportVersion" in data)) {
    throw malformedReport(file, label, "this is npm 6's audit format (advisories), which is not supported", {
      hint: "run npm audit --json with npm 7 or later (auditReportVersion 2)",
    });
  }
  const report = checkShape({ file, text, label }, Report, data);
  const findings = new Map<string, VulnFinding>();
  for (const [entry, vulnerability] of Object.entries(report.vulnerabilities)) {
    for (const [index, via] of vulnerability.via.entries()) {
      if (typeof via === "string") continue;
      const severity = severityFromWord(via.severity);
      if (!severity) {
        const path = ["vulnerabilities", entry, "via", index, "severity"];
        throw shapeError(
          file,
          label,
          path,
          `"${via.severity}" is not one of info, low, moderate, high, critical`,
          { location: locateInText(file, text, { path }) },
        );
      }
      const ghsa = /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/i.exec(via.url ?? "")?.[0];
      const source = String(via.source);
      const fid = ghsa ?? `npm-advisory-${source}`;
      const key = `${fid}\u0000${via.name}`;
      if (findings.has(key)) continue;
      const fix = vulnerability.fixAvailable;
      findings.set(key, {
        id: fid,
        aliases: ghsa ? [source] : [],
        severity,
        reportedSeverity: via.severity,
        package: via.name,
        ...(vulnerability.range &&
          via.name === vulnerability.name && { installedVersion: vulnerability.range }),
        ...(typeof fix === "object" && fix.name === via.name && { fixedVersion: fix.version }),
        ...(via.title && { title: via.title }),
        ...(via.url && { url: via.url }),
      });
    }
  }
  return { kind: "vulns", format: id, file, findings: [...findings.values()], notes: [] };
}
