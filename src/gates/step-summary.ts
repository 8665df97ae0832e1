import { appendFile } from "node:fs/promises";
import { inputError } from "../errors.js";

/**
 * Appends to the file GitHub Actions names in $GITHUB_STEP_SUMMARY. Appends, never rewrites:
 * other steps of the same job write to the same file, and GitHub shows it all as one page.
 */
export async function appendStepSummary(path: string, markdown: string): Promise<void> {
  try {
    await appendFile(path, markdown.endsWith("\n") ? `${markdown}\n` : `${markdown}\n\n`);
  } catch (error) {
    throw inputError(
      "gate/step-summary",
      `cannot append to $GITHUB_STEP_SUMMARY (${path}): ${(error as Error).message}`,
      {
        hint: "unset GITHUB_STEP_SUMMARY outside GitHub Actions, or point it at a writable file",
      },
    );
  }
}
