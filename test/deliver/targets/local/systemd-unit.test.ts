import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../helpers/cli.js";
import { tempDir } from "../../../helpers/tmp.js";

/** The unit `shipgate agent unit` prints, checked by systemd's own verifier. */
describe("shipgate agent unit", () => {
  it("prints a unit systemd-analyze accepts: restarted, instances kept, the state directory quoted", async () => {
    const root = await tempDir();
    const stateDir = join(root, "my app $HOME 100%", ".shipgate");
    await mkdir(stateDir, { recursive: true });
    const run = await runCli(["agent", "unit", "--state-dir", stateDir, "--account", "root"], {
      cwd: root,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", GITHUB_TOKEN: "ghs_not_in_the_unit" },
    });
    expect(run.code, run.stderr).toBe(0);
    const unit = run.stdout;
    expect(unit).toMatch(/^KillMode=process$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^User=root$/m);
    expect(unit).toMatch(/^Environment="PATH=\/usr\/local\/bin:\/usr\/bin:\/bin"$/m);
    expect(unit).toMatch(/ "--state-dir" "[^"]*\/my app \$\$HOME 100%%\/\.shipgate"$/m);
    expect(unit).not.toContain("ghs_not_in_the_unit");
    const file = join(root, "shipgate-agent.service");
    await writeFile(file, unit);
    // Fails when systemd-analyze is missing: .ci/run installs it.
    const { stderr } = await promisify(execFile)("systemd-analyze", ["verify", file]);
    expect(stderr.trim()).toBe("");
  });

  it("refuses an account name systemd would not take", async () => {
    const run = await runCli(["agent", "unit", "--account", "bad name;rm"], { cwd: await tempDir() });
    expect(run.code).not.toBe(0);
  });
});
