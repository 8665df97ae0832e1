import type { Detection } from "../detect/types.js";

/** A few lines on what detection found, for the person who runs init to check at a glance. */
export function describeDetection(d: Detection): string[] {
  const lines: string[] = [];
  const row = (label: string, text: string) => lines.push(`${`${label}:`.padEnd(12)}${text}`);
  if (d.language) {
    const runtime = d.languageVersion
      ? `, ${d.language} ${d.languageVersion}${d.versionFile ? ` (${d.versionFile})` : ""}`
      : d.versionFile
        ? `, version from ${d.versionFile}`
        : "";
    const manager = d.packageManager ? ` with ${d.packageManager}` : "";
    row("detected", `${d.language}${manager}${runtime}${d.lockfile ? `, lockfile ${d.lockfile}` : ""}`);
  } else {
    row("detected", "no Node, Python, Go, Rust or Java project");
  }
  row("app", `${d.name} in ${d.appPath === "." ? "the repository root" : d.appPath}`);
  if (d.apps.length > 1) {
    if (d.appReason) row("why", d.appReason);
    for (const other of d.apps.filter((a) => a.path !== d.appPath || a.name !== d.name)) {
      row(
        "also",
        `${other.name} (${other.language}, ${other.path}${other.dockerfile ? `, ${other.dockerfile}` : ""})`,
      );
    }
  }
  row("branch", d.defaultBranch);
  const commands = Object.entries(d.commands).filter(([, command]) => command);
  row("commands", commands.length ? commands.map(([name]) => name).join(", ") : "none");
  if (d.start) row("start", d.start);
  row("health", `${d.healthPath}${d.readyPath ? `, ready ${d.readyPath}` : ""}`);
  row("Dockerfile", d.dockerfile ?? "none");
  if (d.services.length) {
    row("services", d.services.map((s) => `${s.kind} (${s.source})`).join(", "));
  }
  for (const note of d.notes) row("note", note);
  return lines;
}
