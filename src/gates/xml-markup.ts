import { MAX_NESTING } from "./limits.js";

/**
 * What the parser must not be given, found by a scan of the markup (the text is valid XML, so
 * tags are well formed):
 * - a DOCTYPE that declares entities: the parser would expand them, and entities that refer to
 *   entities grow exponentially ("billion laughs"); an external one names a file or URL. No
 *   report format uses them; a DOCTYPE that only names a DTD, as Cobertura's do, is fine;
 * - elements nested deeper than MAX_NESTING.
 */
export function checkMarkup(text: string): { offset: number; what: string; hint: string } | undefined {
  let depth = 0;
  for (let i = text.indexOf("<"); i !== -1; i = text.indexOf("<", i + 1)) {
    if (text.startsWith("<!--", i)) i = endOf(text, "-->", i);
    else if (text.startsWith("<![CDATA[", i)) i = endOf(text, "]]>", i);
    else if (text.startsWith("<?", i)) i = endOf(text, "?>", i);
    else if (text.startsWith("<!DOCTYPE", i)) {
      const doctype = scanDoctype(text, i);
      if (doctype.entity !== undefined) {
        return {
          offset: doctype.entity,
          what: "the DOCTYPE declares XML entities, which are not read (they can expand without bound or name files to read)",
          hint: "report tools do not write entity declarations; regenerate the report with the tool",
        };
      }
      i = doctype.end;
    } else if (text[i + 1] === "/") depth--;
    else {
      const end = tagEnd(text, i);
      if (text[end - 1] !== "/" && ++depth > MAX_NESTING) {
        return {
          offset: i,
          what: `elements nested more than ${MAX_NESTING} levels deep`,
          hint: "no test or coverage tool writes such a report; regenerate it with the tool",
        };
      }
      i = end;
    }
  }
  return undefined;
}

/** The last index of `terminator` after `from`, or the end of the text. */
function endOf(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at === -1 ? text.length : at + terminator.length - 1;
}

/** The `>` that closes the tag opening at `start`; attribute values may contain `>`. */
function tagEnd(text: string, start: number): number {
  let quote = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return i;
  }
  return text.length;
}

/** The end of a DOCTYPE, or the first entity declaration in its internal subset. */
function scanDoctype(text: string, start: number): { end: number; entity?: number } {
  let quote = "";
  let inSubset = false;
  for (let i = start + "<!DOCTYPE".length; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (inSubset && text.startsWith("<!--", i)) i = endOf(text, "-->", i);
    else if (inSubset && text.startsWith("<!ENTITY", i)) return { end: i, entity: i };
    else if (c === '"' || c === "'") quote = c;
    else if (c === "[") inSubset = true;
    else if (c === "]") inSubset = false;
    else if (c === ">" && !inSubset) return { end: i };
  }
  return { end: text.length };
}
