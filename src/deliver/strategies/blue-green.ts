import { begin, firstRelease, startAndVerify } from "./shared.js";
import type { Strategy } from "./types.js";

export interface BlueGreenOptions {
  /** How long the previous set keeps running after the switch, for an instant rollback. */
  keepPreviousMs: number;
}

/**
 * A full new set starts beside the old one and is smoke-tested before it gets any traffic;
 * then all traffic switches at once, and the old set keeps running for `keepPreviousMs`.
 */
export const blueGreen: Strategy<BlueGreenOptions> = {
  id: "blue-green",
  plan(input, options) {
    if (!input.stable) return [begin(input), ...firstRelease(input)];
    return [
      begin(input),
      ...startAndVerify(input),
      { kind: "weights", weights: { [input.release]: 100 } },
      { kind: "promote", release: input.release },
      {
        kind: "stop",
        release: input.stable,
        ...(options.keepPreviousMs > 0 && { afterMs: options.keepPreviousMs }),
      },
    ];
  },
};
