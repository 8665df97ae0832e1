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
  const days = /^(\d+)d$/.exec(value.trim());
  const ms = days ? Number(days[1]) * 86_400_000 : parseDuration(value);
  if (ms === undefined || ms < 0) {
    throw inputError("cli/duration", `invalid --wait "${value}"`, {
      hint: "use a number followed by ms, s, m, h or d, such as 30s, 10m or 24h",
    });
  }
  return ms;
}
