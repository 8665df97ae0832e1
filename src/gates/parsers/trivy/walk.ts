import Assembler from "stream-json/assembler.js";
import type { Token } from "stream-json/parser.js";
import type { JsonTarget } from "../../json-locate.js";
import { MAX_NESTING } from "../../limits.js";

/**
 * Reads Trivy's JSON as a token stream and assembles only one vulnerability object at a
 * time, so a 50 MB report of a large image never sits in memory as one object tree. Every
 * value on the way to a vulnerability is checked for its type as it starts: a report whose
 * Results is a string, or holds arrays where Results belong, is malformed, not clean.
 */

export interface TrivyTop {
  schemaVersion?: number;
  artifactName?: string;
}

export interface TrivyVisitor {
  /** One element of Results[i].Vulnerabilities, assembled, with the Result's Target. */
  vulnerability(value: unknown, where: { result: number; index: number; target: string | undefined }): void;
}

/** The report is not shaped like Trivy's: what is wrong, and where to point. */
export class TrivyShapeError extends Error {
  constructor(
    readonly where: JsonTarget,
    readonly what: string,
  ) {
    super(what);
  }
}

interface Frame {
  kind: "object" | "array";
  /** Object: the key whose value comes next. Array: the index of the next element. */
  key: string | number | undefined;
}

export interface TrivyWalker {
  /** Feeds one token; synchronous so a stream can call it without a promise per token. */
  consume(token: Token): void;
  readonly top: TrivyTop;
}

type JsonType = "object" | "array" | "string" | "number" | "boolean" | "null";

const STARTS: Partial<Record<Token["name"], JsonType>> = {
  startObject: "object",
  startArray: "array",
  stringValue: "string",
  numberValue: "number",
  trueValue: "boolean",
  falseValue: "boolean",
  nullValue: "null",
};

export function createTrivyWalker(visitor: TrivyVisitor): TrivyWalker {
  const top: TrivyTop = {};
  const stack: Frame[] = [];
  /** Open arrays and objects, counting those inside the vulnerability being assembled. */
  let depth = 0;
  let assembler: Assembler | undefined;
  let resultIndex = -1;
  let target: string | undefined;
  let pending: Array<{ value: unknown; index: number }> = [];

  /** Path of the value that starts now, as keys and indexes from the root. */
  const at = (level: number) => stack[level]?.key;
  const path = () => stack.map((f) => f.key as string | number);
  const inVulnerabilities = () =>
    stack.length === 4 && at(0) === "Results" && at(2) === "Vulnerabilities" && stack[3]!.kind === "array";

  /** The type Trivy writes at the current path, where the gate depends on it. */
  const expected = (): JsonType | undefined => {
    if (stack.length === 0) return "object";
    if (stack.length === 1 && at(0) === "SchemaVersion") return "number";
    if (at(0) !== "Results") return undefined;
    // Trivy leaves out empty lists (omitempty), so null is never one of them.
    if (stack.length === 1) return "array";
    if (stack.length === 2) return "object";
    if (stack.length === 3 && at(2) === "Vulnerabilities") return "array";
    if (stack.length === 3 && at(2) === "Target") return "string";
    if (stack.length === 4 && at(2) === "Vulnerabilities") return "object";
    return undefined;
  };

  const checkType = (found: JsonType) => {
    const wanted = expected();
    if (wanted !== undefined && wanted !== found) {
      throw new TrivyShapeError({ path: path() }, `expected ${article(wanted)}, found ${article(found)}`);
    }
  };

  /** A value ended inside the current container: arrays move to the next index. */
  const valueEnded = () => {
    const frame = stack[stack.length - 1];
    if (frame?.kind === "array") frame.key = (frame.key as number) + 1;
  };

  const consume = (token: Token) => {
    if (token.name === "startObject" || token.name === "startArray") {
      if (++depth > MAX_NESTING) {
        throw new TrivyShapeError(
          { deeperThan: MAX_NESTING },
          `arrays and objects nested more than ${MAX_NESTING} levels deep`,
        );
      }
    } else if (token.name === "endObject" || token.name === "endArray") depth--;
    if (assembler) {
      assembler.consume(token);
      if (assembler.done) {
        const index = stack[stack.length - 1]!.key as number;
        // Trivy writes Target before Vulnerabilities, so the finding goes out at once and the
        // assembled object (with its long Description) can be collected. Only a file with
        // Target after the list has to wait for the end of the Result.
        if (target !== undefined)
          visitor.vulnerability(assembler.current, { result: resultIndex, index, target });
        else pending.push({ value: assembler.current, index });
        assembler = undefined;
        valueEnded();
      }
      return;
    }
    const starts = STARTS[token.name];
    if (starts) checkType(starts);
    switch (token.name) {
      case "startObject":
        if (inVulnerabilities()) {
          assembler = new Assembler();
          assembler.consume(token);
          break;
        }
        if (stack.length === 2 && at(0) === "Results") {
          resultIndex = at(1) as number;
          target = undefined;
          pending = [];
        }
        stack.push({ kind: "object", key: undefined });
        break;
      case "startArray":
        stack.push({ kind: "array", key: 0 });
        break;
      case "endObject":
      case "endArray":
        stack.pop();
        if (token.name === "endObject" && stack.length === 2 && at(0) === "Results") {
          for (const { value, index } of pending) {
            visitor.vulnerability(value, { result: resultIndex, index, target });
          }
          pending = [];
        }
        valueEnded();
        break;
      case "keyValue":
        stack[stack.length - 1]!.key = token.value;
        break;
      case "stringValue":
        if (stack.length === 1 && at(0) === "ArtifactName") top.artifactName = token.value;
        if (stack.length === 3 && at(0) === "Results" && at(2) === "Target") target = token.value;
        valueEnded();
        break;
      case "numberValue":
        if (stack.length === 1 && at(0) === "SchemaVersion") top.schemaVersion = Number(token.value);
        valueEnded();
        break;
      case "nullValue":
      case "trueValue":
      case "falseValue":
        valueEnded();
        break;
      default:
        break;
    }
  };
  return { consume, top };
}

function article(type: JsonType): string {
  return type === "null" ? "null" : `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}
