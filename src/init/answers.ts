import { inputError } from "../errors.js";

/** What a person may override at `shipgate init`; everything else comes from detection. */
export interface InitAnswers {
  /** Service name (app.name); defaults to the detected name. */
  name?: string;
  stagingUrl?: string;
  productionUrl?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Returns the problem with a service name, or null when it is usable as app.name. */
export function nameProblem(name: string): string | null {
  return NAME.test(name) ? null : "use lower-case letters, digits and dashes, e.g. orders-api";
}

/** Returns the problem with an environment URL, or null when health checks can call it. */
export function urlProblem(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:"
      ? null
      : "use an http:// or https:// URL";
  } catch {
    return "use an absolute URL such as https://staging.example.com";
  }
}

/** Rejects answers that would make an invalid shipgate.yml, naming the answer and the fix. */
export function checkAnswers(answers: InitAnswers): void {
  if (answers.name !== undefined) {
    const problem = nameProblem(answers.name);
    if (problem)
      throw inputError("init/invalid-answer", `invalid app name "${answers.name}"`, { hint: problem });
  }
  for (const [label, url] of [
    ["staging", answers.stagingUrl],
    ["production", answers.productionUrl],
  ] as const) {
    if (url === undefined) continue;
    const problem = urlProblem(url);
    if (problem) throw inputError("init/invalid-answer", `invalid ${label} URL "${url}"`, { hint: problem });
  }
}
