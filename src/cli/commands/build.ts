import { redact } from "../../redact.js";
import { EXIT_OK } from "../exit-codes.js";
import type { ConfigFlags } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

export const registerBuild: RegisterCommand = (program, ctx) => {
  program
    .command("build")
    .description("build the immutable artifact of the current commit: a tarball plus a sha256 manifest")
    .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
    .option("--json", 'print { "artifact": ... } as JSON')
    .action(async (flags: ConfigFlags) => {
      const { buildRelease } = await import("../../deliver/build.js");
      const result = await buildRelease({
        cwd: ctx.io.cwd,
        ...(flags.config && { configPath: flags.config }),
      });
      const a = result.artifact;
      if (result.uncommitted.length > 0) {
        ctx.io.stderr.write(
          `warning: ${result.uncommitted.length} changed files are not committed and not in the artifact: ${result.uncommitted.slice(0, 5).join(", ")}\n`,
        );
      }
      if (flags.json) {
        ctx.io.stdout.write(
          `${redact(JSON.stringify({ artifact: a.id, digest: a.digest, commit: a.commit, location: a.location, created: result.created }, null, 2))}\n`,
        );
      } else {
        ctx.io.stderr.write(
          `${result.created ? "built" : "already built"} ${a.id}  ${a.digest}  commit ${a.commit.slice(0, 12)}\n`,
        );
        ctx.io.stdout.write(`${a.id}\n`);
      }
      ctx.exitCode = EXIT_OK;
    });
};
