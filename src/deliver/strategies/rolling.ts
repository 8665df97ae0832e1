import type { Step } from "../steps.js";
import { begin, firstRelease, startAndVerify } from "./shared.js";
import type { Strategy } from "./types.js";

/**
 * Instance by instance: one new instance starts and must be healthy (and pass the smoke file,
 * the first time) before it takes its share of traffic and one old instance drains.
 */
export const rolling: Strategy = {
  id: "rolling",
  plan(input) {
    if (!input.stable) return [begin(input), ...firstRelease(input)];
    const { release, stable, instances: n } = input;
    const steps: Step[] = [begin(input), ...startAndVerify(input, 1)];
    for (let k = 1; k <= n; k++) {
      if (k > 1) steps.push({ kind: "scale", release, instances: k }, { kind: "health", release });
      const share = Math.round((100 * k) / n);
      steps.push({
        kind: "weights",
        weights: k === n ? { [release]: 100 } : { [release]: share, [stable]: 100 - share },
      });
      if (k < n) steps.push({ kind: "scale", release: stable, instances: n - k });
    }
    steps.push({ kind: "promote", release }, { kind: "stop", release: stable });
    return steps;
  },
};
