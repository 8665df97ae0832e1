import { XMLParser, XMLValidator } from "fast-xml-parser";
import { malformedReport } from "./report-errors.js";

/**
 * XML reports (Cobertura, JUnit) are validated first so that a truncated or hand-edited file
 * is an error at its line and column, not a half-read report that passes a gate.
 */
export function parseXml(
  file: string,
  text: string,
  label: string,
  options: { arrays: ReadonlySet<string> },
): Record<string, unknown> {
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
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    // Attribute values stay strings; the parsers convert the numeric ones themselves.
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // Numeric character references (&#10; in pytest's failure messages) decoded too.
    htmlEntities: true,
    textNodeName: "#text",
    // Elements that may repeat are always arrays, so one <testcase> reads like many.
    isArray: (name) => options.arrays.has(name),
  });
  return parser.parse(text) as Record<string, unknown>;
}

/** An XML attribute or child read as a list whatever the document had (absent, one, many). */
export function list<T = Record<string, unknown>>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** Element text: fast-xml-parser gives a string, or an object with #text when there are attributes. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "#text" in value)
    return String((value as { "#text": unknown })["#text"]);
  return undefined;
}
