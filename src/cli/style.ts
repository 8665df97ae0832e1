const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** Minimal ANSI styling that respects NO_COLOR and non-TTY output (decided by the caller). */
export function style(color: boolean) {
  const wrap =
    ([open, close]: number[]) =>
    (text: string) =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: wrap(CODES.bold),
    dim: wrap(CODES.dim),
    red: wrap(CODES.red),
    green: wrap(CODES.green),
    yellow: wrap(CODES.yellow),
    cyan: wrap(CODES.cyan),
  };
}
export type Style = ReturnType<typeof style>;

/** Exactly the escape sequences `style` writes, for the output boundary (./safe-text.ts) to let through. */
export const STYLE_SEQUENCE = new RegExp(
  `\u001b\\[(?:${[...new Set(Object.values(CODES).flat())].join("|")})m`,
);
