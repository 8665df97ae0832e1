import { describe, expect, test } from "vitest";
import { findingsOf, scriptWorkflow } from "../harness.js";

const ID = "unverified-download";

const found = (script: string) => findingsOf(ID, scriptWorkflow(script)).map((f) => f.region.startLine);

describe(ID, () => {
  test("a program by its URL, by the name it is saved under, or by being made executable and run", () => {
    expect(found("wget https://dl.min.io/client/mc/release/linux-amd64/mc\nchmod +x ./mc\n./mc ls")).toEqual([
      7,
    ]);
    expect(
      found(
        'curl -L -o cf-cli_amd64.deb "https://packages.example.org/stable?release=debian64"\nsudo dpkg -i cf-cli_amd64.deb',
      ),
    ).toEqual([7]);
    expect(
      found("curl -fsSLo tools.msi https://example.com/tools/download\nmsiexec /i tools.msi /quiet"),
    ).toEqual([7]);
    // Data copied somewhere as root is not a program.
    expect(
      found("curl -fsSL https://example.com/data.json -o data.json\nsudo cp data.json /etc/app/"),
    ).toEqual([]);
  });

  test("a release asset fetched with gh and run, unless a digest is checked", () => {
    const fetch = 'gh release download v0.2.10 -R acme/marker -p "*-linux-amd64*" -O marker';
    expect(found(`${fetch}\nchmod 755 ./marker\n./marker add`)).toEqual([7]);
    expect(found(`${fetch}\necho "abc  marker" | sha256sum --check\nchmod 755 ./marker`)).toEqual([]);
  });
});
