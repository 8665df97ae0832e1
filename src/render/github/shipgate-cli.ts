import type { PipelineModel } from "../../pipeline/model.js";

/**
 * A step's `run:` and `env:` for a shipgate command. From npm: `npx shipgate@<version>`. From a
 * vendored tarball: npx installs the package from the file in the checkout, so the workflows
 * work before (and without) a registry release; the path reaches the script through `env:`
 * like every other value from shipgate.yml. Every job that calls this checks the repository out.
 */
export function shipgateCommand(
  model: PipelineModel,
  args: string,
): { run: string; env: Record<string, string> } {
  if (model.cli.kind === "tarball") {
    return {
      run: `npx --yes --package "$GITHUB_WORKSPACE/$SHIPGATE_PACKAGE" shipgate ${args}`,
      env: { SHIPGATE_PACKAGE: model.cli.path },
    };
  }
  return { run: `npx --yes shipgate@${model.cli.version} ${args}`, env: {} };
}
