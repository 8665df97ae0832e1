import { inputError } from "../../errors.js";

/** Flags every delivery command shares. */
export interface ConfigFlags {
  config?: string;
  json?: boolean;
}

/** `--wait 10m` as milliseconds; `0` when unset. */
export async function waitMs(value: string | undefined): Promise<number> {
  if (value === undefined) return 0;
  const { parseDuration } = await import("../../verify/duration.js");
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0) {
    throw inputError("cli/duration", `invalid --wait "${value}"`, {
      hint: "use a number followed by ms, s, m or h, such as 30s or 10m",
    });
  }
  return ms;
}
