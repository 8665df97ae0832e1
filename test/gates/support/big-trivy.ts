import { once } from "node:events";
import { createWriteStream } from "node:fs";

/**
 * Writes a Trivy 0.5x image report of about `megabytes` MB: many Results (one per language
 * package file and the OS), each with long descriptions and references, as real reports of
 * large images have. Written in pieces so the test itself never holds the file in memory.
 */
export async function writeBigTrivyReport(path: string, megabytes: number): Promise<{ findings: number }> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  const target = megabytes * 1024 * 1024;
  let written = 0;
  let findings = 0;
  const head = `{
  "SchemaVersion": 2,
  "CreatedAt": "2026-11-30T09:12:44.318Z",
  "ArtifactName": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:3f2c1e9",
  "ArtifactType": "container_image",
  "Metadata": {
    "Size": 412334080,
    "OS": { "Family": "debian", "Name": "12.8" },
    "ImageID": "sha256:5b0f4c1de2f87e5a2f3ec0f0d8a3b0d2c4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9",
    "RepoTags": ["shop-api:3f2c1e9"]
  },
  "Results": [`;
  await write(head);
  written += head.length;
  const severities = ["LOW", "MEDIUM", "HIGH", "CRITICAL", "UNKNOWN"];
  for (let result = 0; written < target; result++) {
    // The OS packages come first as one long Result, as in a large distro image; then one
    // Result per lockfile.
    const resultHead = `${result === 0 ? "" : ","}
    {
      "Target": "${result === 0 ? "shop-api:3f2c1e9 (debian 12.8)" : `usr/src/app/packages/pkg-${result}/package-lock.json`}",
      "Class": "${result === 0 ? "os-pkgs" : "lang-pkgs"}",
      "Type": "${result === 0 ? "debian" : "npm"}",
      "Vulnerabilities": [`;
    await write(resultHead);
    written += resultHead.length;
    for (let i = 0; i < (result === 0 ? 12_000 : 200) && written < target; i++) {
      const n = findings++;
      const vuln = `${i === 0 ? "" : ","}
        {
          "VulnerabilityID": "CVE-2024-${String(10000 + (n % 90000)).padStart(5, "0")}",
          "PkgID": "package-${n % 997}@1.${n % 17}.${n % 5}",
          "PkgName": "package-${n % 997}",
          "PkgIdentifier": { "PURL": "pkg:npm/package-${n % 997}@1.${n % 17}.${n % 5}", "UID": "${(n * 2654435761).toString(16)}" },
          "InstalledVersion": "1.${n % 17}.${n % 5}",
          "FixedVersion": "1.${(n % 17) + 1}.0",
          "Status": "fixed",
          "Layer": { "DiffID": "sha256:9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9" },
          "SeveritySource": "ghsa",
          "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-${10000 + (n % 90000)}",
          "DataSource": { "ID": "ghsa", "Name": "GitHub Security Advisory npm", "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm" },
          "Title": "package-${n % 997}: uncontrolled resource consumption when parsing crafted input",
          "Description": "${"A crafted request body causes the parser to allocate memory without bound, which lets a remote attacker exhaust the process memory and deny service to other users. ".repeat(3)}",
          "Severity": "${severities[n % severities.length]}",
          "CweIDs": ["CWE-400"],
          "VendorSeverity": { "ghsa": 3, "nvd": 3 },
          "CVSS": { "ghsa": { "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "V3Score": 7.5 } },
          "References": ["https://github.com/advisories/GHSA-xxxx-${n % 9999}", "https://nvd.nist.gov/vuln/detail/CVE-2024-${10000 + (n % 90000)}"],
          "PublishedDate": "2024-03-11T17:15:46.07Z",
          "LastModifiedDate": "2024-11-21T08:59:12.133Z"
        }`;
      await write(vuln);
      written += vuln.length;
    }
    await write("\n      ]\n    }");
  }
  await write("\n  ]\n}\n");
  out.end();
  await once(out, "finish");
  return { findings };
}
