import fc from "fast-check";

/**
 * Settings for fast-check properties over generated inputs. CI runs a fixed seed so that a
 * red run can be replayed; set SHIPGATE_PROPERTY_SEED (a number, or `random`) and
 * SHIPGATE_PROPERTY_RUNS to explore further. A failure's message carries the seed and the
 * shrunk counterexample's path, and the line to replay it.
 */
export interface PropertySettings {
  seed: number;
  numRuns: number;
}

export function propertySettings(defaultRuns: number, defaultSeed = 20261206): PropertySettings {
  const seedSetting = process.env.SHIPGATE_PROPERTY_SEED;
  const seed =
    seedSetting === "random"
      ? (Math.random() * 2 ** 31) | 0
      : seedSetting
        ? Number(seedSetting)
        : defaultSeed;
  const runsSetting = Number(process.env.SHIPGATE_PROPERTY_RUNS);
  return { seed, numRuns: Number.isInteger(runsSetting) && runsSetting > 0 ? runsSetting : defaultRuns };
}

/**
 * Checks a property and says how many generated cases it checked. On failure the error names
 * the seed and how to replay it (fast-check adds the counterexample and its path).
 */
export function checkProperty<T>(
  label: string,
  property: fc.IPropertyWithHooks<T> | fc.IProperty<T>,
  settings: PropertySettings,
): void {
  try {
    fc.assert(property, { seed: settings.seed, numRuns: settings.numRuns });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? `\n${error.cause.message}` : "";
    throw new Error(
      `${label}: failed with seed ${settings.seed}; replay with SHIPGATE_PROPERTY_SEED=${settings.seed}\n${message}${cause}`,
    );
  }
  console.log(`${label}: ${settings.numRuns} generated cases checked (seed ${settings.seed})`);
}
