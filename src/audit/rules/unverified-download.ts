import { escapeRegExp } from "../../regexp.js";
import { defineRule } from "../types.js";
import { commandsIn, locatedLines, regionInLine } from "./curl-pipe-shell.js";

/**
 * Lines that install or run what was downloaded: as root, as a package, into a bin directory,
 * made executable, or an installer script run from the unpacked folder (`./aws/install`).
 */
const INSTALLS =
  /(^|[;&|(]\s*)sudo\s|\b(dpkg|rpm)\s+-[a-zA-Z]*i|\bapt(-get)?\s+install\s+[^\n]*\.\/\S+\.deb\b|\binstall\s+(-[a-zA-Z]+\s+)*\S+\s+\/usr|\bmv\s+\S+\s+\/(usr|opt|bin)\b|\bchmod\s+(\+x|[0-7]*[1357][0-7]{0,2}\b)|(^|\s)\.\/[\w.-]+\/install\b|\btar\b[^\n]*\s-C\s*\/(usr|opt)\b|\bmsiexec\b[^\n]*\s[/-]i\b/i;
/** Checking what was downloaded against a digest or a signature. */
const VERIFIES =
  /\b(sha(1|224|256|384|512)sum|shasum|md5sum|b2sum|sha256|cksum)\b|\bgpg\b[^\n]*--verify|\bgpgv\b|\bcosign\s+verify|\bminisign\b|\bopenssl\s+dgst\b|\bslsa-verifier\b|\bgh\s+attestation\s+verify\b|--checksum\b/;
/** Files a download keeps that are programs or their packages (not data, not a web page). */
const PROGRAM =
  /\.(tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tar\.zst|zip|deb|rpm|apk|appimage|pkg|msi|exe|bin|run|jar)(\?|$)|\/(releases\/download|downloads?)\//i;

/**
 * Whether a download whose URL does not say "program" saves one: its output file's name does
 * (`-o cf-cli_amd64.deb`), or a later line makes that file executable or runs it (`chmod +x
 * ./mc`, `./mc alias set …`).
 */
function savesProgram(args: readonly { value: string }[], url: string, rest: readonly string[]): boolean {
  // `-o file`, also at the end of combined flags (`-fsSLo file`).
  const flag = args.findIndex((t) => /^(-[a-zA-Z]*[oO]|--output|--output-document)$/.test(t.value));
  const inline = args.find((t) => /^--output(-document)?=/.test(t.value))?.value.replace(/^[^=]*=/, "");
  const output = inline ?? (flag >= 0 ? args[flag + 1]?.value : undefined);
  const file = (output ?? url.split(/[?#]/)[0]!.split("/").pop() ?? "").split("/").pop() ?? "";
  if (!file || file === "-") return false;
  if (PROGRAM.test(file)) return true;
  const name = escapeRegExp(file);
  const used = new RegExp(
    `\\bchmod\\s+(\\+x|[0-7]*[1357][0-7]{0,2})\\s+(\\S*\\/)?${name}\\b|(^|[\\s;&|])(\\.\\/|\\/\\S*\\/)${name}(\\s|$)`,
  );
  return rest.some((text) => used.test(text));
}

export const unverifiedDownload = defineRule({
  meta: {
    id: "unverified-download",
    name: "Program downloaded and installed without a checksum",
    severity: "warning",
    confidence: "medium",
    category: "security",
    description:
      "Reports a step that downloads a program or package with curl, wget or `gh release download` and installs or runs it (sudo, dpkg -i, msiexec, into /usr, chmod +x, an unpacked installer) without checking a digest or signature anywhere in the step; a download is a program by its URL, the name it is saved under, or being made executable and run.",
    fixable: false,
  },
  step(step, _job, ctx) {
    if (!step.run || !/\b(curl|wget)\b|\bgh\s+release\s+download\b/.test(step.run.value)) return;
    if (VERIFIES.test(step.run.value) || !INSTALLS.test(step.run.value)) return;
    const source = ctx.workflow.source;
    const lines = locatedLines(source, step.run);
    lines.forEach((line, index) => {
      // Another repository's release asset, fetched by the GitHub CLI: nothing checks it either.
      const release = /\bgh\s+release\s+download\b[^\n|;&]*/.exec(line.text);
      if (release) {
        const rest = [line.text.slice(release.index), ...lines.slice(index + 1).map((l) => l.text)];
        const output = /\s(?:-O|--output)[\s=]["']?([^\s"']+)/.exec(release[0])?.[1];
        if (
          rest.some((text) => INSTALLS.test(text)) &&
          (output === undefined || savesProgram([], output, rest))
        )
          ctx.report({
            node: step.run!.node,
            region: regionInLine(source, step.run!.node, line, release[0].trim(), release.index),
            key: `gh ${release[0].trim()}`,
            message: `${release[0].trim()} downloads a release asset that is installed or run with no checksum or signature check: release assets can be replaced after publication, and the replacement runs with this job's credentials. Check a pinned digest (sha256sum --check) or the attestation (gh attestation verify) before using it`,
          });
      }
      for (const tool of ["curl", "wget"] as const) {
        for (const command of commandsIn(line.text, new RegExp(tool))) {
          // `curl … | sh` is curl-pipe-shell's finding.
          if (command.terminator === "|" && /\|\s*(sudo\s+)?(ba|z|da)?sh\b/.test(line.text)) continue;
          const url = command.args.find((t) => /^https?:\/\//i.test(t.value));
          if (!url) continue;
          // Installed by this line or a later one of the step.
          const rest = [line.text.slice(command.at), ...lines.slice(index + 1).map((l) => l.text)];
          if (!rest.some((text) => INSTALLS.test(text))) continue;
          if (!PROGRAM.test(url.value) && !savesProgram(command.args, url.value, rest)) continue;
          const needle = url.raw.replace(/^["']|["']$/g, "");
          ctx.report({
            node: step.run!.node,
            region: regionInLine(source, step.run!.node, line, needle, url.at + url.raw.indexOf(needle)),
            key: `${tool} ${url.value}`,
            message: `${url.value} is downloaded and installed with no checksum or signature check: a replaced release asset, a compromised mirror or a hijacked download runs with this job's credentials. Check a pinned digest before using it (echo "<sha256>  <file>" | sha256sum --check), or install through a package manager or setup action that verifies it`,
          });
        }
      }
    });
  },
});
