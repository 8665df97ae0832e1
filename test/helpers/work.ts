/**
 * Deterministic measures of how much work a function does, for linearity tests without timing.
 * Each instruments built-in methods for the duration of a synchronous call and counts what
 * passes through them. A function linear in its input does about twice the work for an input
 * twice as large; a quadratic one, four times.
 */

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Runs `fn` with methods of `target` replaced, restoring them whatever happens. */
function instrumented(
  target: object,
  replacements: Record<PropertyKey, (original: Method) => Method>,
  fn: () => unknown,
) {
  const owner = target as Record<PropertyKey, Method>;
  const originals = new Map<PropertyKey, Method>();
  const keys = [...Object.keys(replacements), ...Object.getOwnPropertySymbols(replacements)];
  try {
    for (const key of keys) {
      const original = owner[key]!;
      originals.set(key, original);
      const replacement = (replacements as Record<PropertyKey, (original: Method) => Method>)[key]!(original);
      Object.defineProperty(target, key, { value: replacement, writable: true, configurable: true });
    }
    fn();
  } finally {
    for (const [key, original] of originals)
      Object.defineProperty(target, key, { value: original, writable: true, configurable: true });
  }
}

/**
 * Array elements visited: through for…of, spreads and Array.from (the array iterator), the
 * searching and iterating methods of Array.prototype, and those String#split produces.
 */
export function arrayWork(fn: () => unknown): number {
  let visits = 0;
  const counting = (original: Method): Method =>
    function (this: unknown, callback: unknown, ...rest: unknown[]) {
      const counted = (...args: unknown[]) => {
        visits++;
        return (callback as (...a: unknown[]) => unknown)(...args);
      };
      return original.call(this, counted, ...rest);
    };
  // Without a callback to count: charged the whole array, what a miss costs.
  const whole = (original: Method): Method =>
    function (this: unknown, ...args: unknown[]) {
      visits += (this as unknown[]).length;
      return original.apply(this, args);
    };
  const replacements: Record<PropertyKey, (original: Method) => Method> = {
    [Symbol.iterator]: (original) =>
      function (this: unknown) {
        const inner = original.call(this) as Iterator<unknown>;
        return {
          next() {
            visits++;
            return inner.next();
          },
          [Symbol.iterator]() {
            return this;
          },
        };
      },
  };
  for (const name of [
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "some",
    "every",
    "filter",
    "map",
    "flatMap",
    "forEach",
    "reduce",
  ])
    replacements[name] = counting;
  for (const name of ["includes", "indexOf", "lastIndexOf"]) replacements[name] = whole;
  instrumented(Array.prototype, replacements, () =>
    instrumented(
      String.prototype,
      {
        split: (original) =>
          function (this: unknown, ...args: unknown[]) {
            const parts = original.apply(this, args) as string[];
            visits += parts.length;
            return parts;
          },
      },
      fn,
    ),
  );
  return visits;
}

/** Characters String#slice returns: what building text piece by piece copies. */
export function sliceWork(fn: () => unknown): number {
  return stringWork("slice", (_, __, part) => (part as string).length, fn);
}

/** Characters String#indexOf reads: what searching text for text costs. */
export function searchWork(fn: () => unknown): number {
  return stringWork(
    "indexOf",
    (text, args, at) => {
      const from = Math.min(Math.max(Number(args[1] ?? 0) || 0, 0), text.length);
      return ((at as number) >= 0 ? (at as number) + String(args[0]).length : text.length) - from;
    },
    fn,
  );
}

/** The sum of `cost` over every call of one String.prototype method while `fn` runs. */
function stringWork(
  method: string,
  cost: (text: string, args: unknown[], result: unknown) => number,
  fn: () => unknown,
): number {
  let total = 0;
  instrumented(
    String.prototype,
    {
      [method]: (original) =>
        function (this: unknown, ...args: unknown[]) {
          const result = original.apply(this, args);
          total += cost(String(this), args, result);
          return result;
        },
    },
    fn,
  );
  return total;
}

/**
 * How work grows with the input from size n to 2n, divided by how the input itself grew: about
 * 1 when the work is linear in the input, 2 when quadratic. Both inputs run once first, so
 * lazy initialisation and caches count for neither.
 */
export function superlinearity(options: {
  input: (n: number) => string;
  run: (input: string) => unknown;
  n: number;
  measure?: (fn: () => unknown) => number;
}): number {
  const { input, run, n, measure = arrayWork } = options;
  const small = input(n);
  const large = input(2 * n);
  run(small);
  run(large);
  const work = measure(() => run(large)) / measure(() => run(small));
  return work / (large.length / small.length);
}
