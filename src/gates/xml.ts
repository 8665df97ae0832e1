import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { ShipgateError } from "../errors.js";
import { MAX_NESTING } from "./limits.js";
import { locationAt, malformedReport, SHAPE_HINT } from "./report-errors.js";
import { checkMarkup } from "./xml-markup.js";

/**
 * XML reports (Cobertura, JUnit) as a tree in which every element has the same shape, however
 * many siblings share its name: parsers walk it by element name and never guess whether a
 * value is one element, a list of them or a bare string.
 */
export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** Text and CDATA directly inside the element, entities decoded. */
  text: string;
  /** Where its start tag begins in the report's text. */
  offset: number;
}

export interface XmlReport {
  file: string;
  root: XmlElement;
  /** A malformed-report error pointing at the element's start tag. */
  malformed(element: XmlElement, what: string, hint?: string): ShipgateError;
}

/**
 * Validates first, so that a truncated or hand-edited file is an error at its line and column,
 * not a half-read report that passes a gate; then refuses what would make the parser do
 * unbounded work (see checkMarkup).
 */
export function parseXml(file: string, text: string, label: string): XmlReport {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    // A truncated upload or a killed test run leaves the error on the last line.
    const atEnd = line >= text.trimEnd().split("\n").length;
    throw malformedReport(file, label, `invalid XML (${msg.replace(/\.$/, "")})`, {
      location: { file, line, column: col },
      hint: atEnd
        ? "the file ends before the XML is complete, so it was probably cut off; regenerate the report"
        : "the XML is broken at this position; regenerate the report rather than editing it",
    });
  }
  const refused = checkMarkup(text);
  if (refused) {
    throw malformedReport(file, label, refused.what, {
      location: locationAt(file, text, refused.offset),
      hint: refused.hint,
    });
  }
  let nodes: unknown[];
  try {
    nodes = PARSER.parse(text) as unknown[];
  } catch (error) {
    // The checks above leave the parser nothing to refuse; if it does, the input is still the cause.
    throw malformedReport(file, label, `the XML cannot be read (${(error as Error).message})`);
  }
  const root = nodes.map(toElement).find((e) => e !== undefined);
  if (!root) throw malformedReport(file, label, "the file has no root element");
  return {
    file,
    root,
    malformed: (element, what, hint = SHAPE_HINT) =>
      malformedReport(file, label, what, { location: locationAt(file, text, element.offset), hint }),
  };
}

const PARSER = new XMLParser({
  // Every element is { name: children[], ":@": attributes }: one shape whatever repeats.
  preserveOrder: true,
  captureMetaData: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  // Attribute values stay strings; the parsers convert the numeric ones themselves.
  parseAttributeValue: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Numeric character references (&#10; in pytest's failure messages) decoded too. Entities a
  // DOCTYPE declares never get here: checkMarkup refuses them.
  htmlEntities: true,
  maxNestedTags: MAX_NESTING,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

/** One node of fast-xml-parser's ordered output, as an element; undefined for text. */
function toElement(node: unknown): XmlElement | undefined {
  const record = node as Record<string | symbol, unknown>;
  const name = Object.keys(record).find((key) => key !== ":@" && key !== "#text");
  if (name === undefined) return undefined;
  const content = record[name] as unknown[];
  const children: XmlElement[] = [];
  let text = "";
  for (const child of content) {
    const element = toElement(child);
    if (element) children.push(element);
    else text += String((child as { "#text"?: unknown })["#text"] ?? "");
  }
  return {
    name,
    attributes: (record[":@"] as Record<string, string> | undefined) ?? {},
    children,
    text,
    offset: (record[META] as { startIndex?: number } | undefined)?.startIndex ?? 0,
  };
}

/** The children of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/**
 * Checks that every element the parser counts from sits where the format puts it: an element
 * elsewhere (a <testcase> inside a <testcase>, a second <packages>) would otherwise be skipped
 * and its failures or misses with it. `parents` lists, per element name, the elements it may
 * be in; `once` the names that may appear only once in their parent.
 */
export function checkStructure(
  xml: XmlReport,
  rules: { parents: Readonly<Record<string, readonly string[]>>; once?: ReadonlySet<string>; format: string },
): void {
  const pending: XmlElement[] = [xml.root];
  for (let parent = pending.pop(); parent; parent = pending.pop()) {
    const seen = new Set<string>();
    for (const child of parent.children) {
      const allowed = rules.parents[child.name];
      if (allowed && !allowed.includes(parent.name)) {
        const where =
          allowed.length === 0
            ? "as the root element"
            : `inside ${allowed.map((p) => `<${p}>`).join(" or ")}`;
        throw xml.malformed(
          child,
          `<${child.name}> inside <${parent.name}>; ${rules.format} has it only ${where}`,
        );
      }
      if (rules.once?.has(child.name)) {
        if (seen.has(child.name)) {
          throw xml.malformed(child, `a second <${child.name}> in <${parent.name}>, which has only one`);
        }
        seen.add(child.name);
      }
      pending.push(child);
    }
  }
}
