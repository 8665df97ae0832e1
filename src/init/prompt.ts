import { createInterface } from "node:readline/promises";
import type { Readable } from "node:stream";
import { TARGET_TYPES, type TargetType } from "../config/schema.js";
import type { Detection } from "../detect/types.js";
import { inputError } from "../errors.js";
import { type InitAnswers, nameProblem, urlProblem } from "./answers.js";
import { parseTarget } from "./project.js";
import { defaultUrl } from "./targets.js";

export interface PromptOptions {
  input: Readable;
  output: { write(chunk: string): unknown };
  detection: Detection;
  /** The target from --target; asked for when unset. */
  target?: TargetType;
  defaultTarget: TargetType;
}

const ATTEMPTS = 3;

/**
 * Asks for the few things detection cannot know, showing the default in brackets; an empty
 * line (or the end of input) keeps it. Only answers that differ from the default are returned,
 * so placeholders stay marked as placeholders in the written file.
 */
export async function promptAnswers(
  options: PromptOptions,
): Promise<{ target: TargetType; answers: InitAnswers }> {
  const rl = createInterface({ input: options.input, terminal: false });
  // Created at once so that lines typed ahead of a question are not lost.
  const lines = rl[Symbol.asyncIterator]();
  const ask = async <T>(
    label: string,
    fallback: string,
    check: (value: string) => T,
  ): Promise<T | undefined> => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      options.output.write(`${label} [${fallback}]: `);
      const next = await lines.next();
      const value = next.done ? "" : String(next.value).trim();
      if (next.done) options.output.write("\n");
      if (value === "" || value === fallback) return undefined;
      try {
        return check(value);
      } catch (error) {
        const hint = (error as { diagnostics?: Array<{ message: string; hint?: string }> }).diagnostics?.[0];
        options.output.write(`  ${hint ? `${hint.message}: ${hint.hint}` : String(error)}\n`);
        if (next.done) break;
      }
    }
    throw inputError("init/invalid-answer", `no valid answer for "${label}"`, {
      hint: "run shipgate init again, or pass --yes to take the detected defaults",
    });
  };
  try {
    const target =
      options.target ??
      (await ask(`Deploy target (${TARGET_TYPES.join(", ")})`, options.defaultTarget, (value) =>
        parseTarget({ value }),
      )) ??
      options.defaultTarget;
    const answers: InitAnswers = {};
    const name = await ask("App name", options.detection.name, (value) => checked(value, nameProblem(value)));
    if (name) answers.name = name;
    const stagingUrl = await ask("Staging URL", defaultUrl({ type: target, env: "staging" }), (value) =>
      checked(value, urlProblem(value)),
    );
    if (stagingUrl) answers.stagingUrl = stagingUrl;
    const productionUrl = await ask(
      "Production URL",
      defaultUrl({ type: target, env: "production" }),
      (value) => checked(value, urlProblem(value)),
    );
    if (productionUrl) answers.productionUrl = productionUrl;
    return { target, answers };
  } finally {
    rl.close();
  }
}

function checked(value: string, problem: string | null): string {
  if (problem) throw inputError("init/invalid-answer", `"${value}" will not do`, { hint: problem });
  return value;
}
