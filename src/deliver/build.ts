import { openLedger } from "../ledger/index.js";
import { type BuildResult, buildArtifact } from "./artifact.js";
import { openProject, requireDurableState } from "./environment.js";

/** `shipgate build`: the immutable artifact of the current commit, recorded in the ledger. */
export async function buildRelease(options: { configPath?: string; cwd?: string }): Promise<BuildResult> {
  const { config, configDir, stateDir } = await openProject(options);
  if (Object.values(config.environments).some((e) => e.target.type === "local"))
    requireDurableState({ stateDir });
  const ledger = await openLedger({ stateDir });
  try {
    return await buildArtifact({ config, configDir, stateDir, ledger });
  } finally {
    await ledger.close();
  }
}
