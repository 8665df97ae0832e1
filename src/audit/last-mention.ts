/**
 * For each needle, the index of the last of `texts` that contains it, or -1. One pass of an
 * Aho–Corasick automaton over the texts, from the last one back, so the cost is their total
 * length plus the needles': asking "does a later line mention X" of every line of a long
 * script, one `includes` per later line, would cost the square of the script.
 */
export function lastMentions(texts: readonly string[], needles: Iterable<string>): Map<string, number> {
  const automaton = build(needles);
  const { goto, fail, output, dict, found } = automaton;
  for (let t = texts.length - 1; t >= 0; t--) {
    const text = texts[t]!;
    let state = 0;
    for (const char of text) {
      while (state !== 0 && !goto[state]!.has(char)) state = fail[state]!;
      state = goto[state]!.get(char) ?? 0;
      // Walking backwards through the texts, the first text a needle is seen in is its last.
      // A state already seen has had its whole dictionary chain seen too: stop there.
      for (let s = output[state] !== undefined ? state : dict[state]!; s > 0 && found[s]! < 0; s = dict[s]!)
        found[s] = t;
    }
  }
  const out = new Map<string, number>();
  for (const [needle, state] of automaton.states) out.set(needle, found[state]!);
  return out;
}

interface Automaton {
  goto: Array<Map<string, number>>;
  fail: number[];
  /** The needle ending at a state. */
  output: Array<string | undefined>;
  /** The nearest state on the failure chain (the state itself excluded) where a needle ends; 0 for none. */
  dict: number[];
  /** For a needle's state, the text it was last seen in. */
  found: number[];
  states: Map<string, number>;
}

function build(needles: Iterable<string>): Automaton {
  const goto: Array<Map<string, number>> = [new Map()];
  const output: Array<string | undefined> = [undefined];
  const states = new Map<string, number>();
  for (const needle of needles) {
    if (!needle || states.has(needle)) continue;
    let state = 0;
    for (const char of needle) {
      let next = goto[state]!.get(char);
      if (next === undefined) {
        next = goto.length;
        goto.push(new Map());
        output.push(undefined);
        goto[state]!.set(char, next);
      }
      state = next;
    }
    output[state] = needle;
    states.set(needle, state);
  }
  const fail = new Array<number>(goto.length).fill(0);
  const dict = new Array<number>(goto.length).fill(0);
  // Breadth first, so a state's failure target is complete before the state itself.
  const queue = [...goto[0]!.values()];
  for (let i = 0; i < queue.length; i++) {
    const state = queue[i]!;
    for (const [char, next] of goto[state]!) {
      let f = fail[state]!;
      while (f !== 0 && !goto[f]!.has(char)) f = fail[f]!;
      fail[next] = goto[f]!.get(char) ?? 0;
      dict[next] = output[fail[next]!] !== undefined ? fail[next]! : dict[fail[next]!]!;
      queue.push(next);
    }
  }
  return { goto, fail, output, dict, found: new Array<number>(goto.length).fill(-1), states };
}
