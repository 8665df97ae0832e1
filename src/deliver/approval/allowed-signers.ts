import { parsePublicKey, type SshPublicKey } from "./sshsig.js";

/**
 * An `allowed_signers` file, as `ssh-keygen -Y verify` reads it (ssh-keygen(1), "ALLOWED
 * SIGNERS"): one key a line, with the principals it may sign as and options limiting the
 * namespaces and the time it is valid. Committed in the repository, it says who may approve;
 * changing it is a reviewed change like any other.
 */

export interface AllowedSigner {
  /** Principal patterns (`alice@example.com`, `*@example.com`, `!bob@example.com`). */
  principals: string[];
  namespaces?: string[];
  validAfter?: number;
  validBefore?: number;
  certAuthority: boolean;
  key: SshPublicKey;
  line: number;
}

export class AllowedSignersError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Splits `text` at `separator`s outside double quotes; quotes stay in the pieces. */
function split(text: string, separator: RegExp): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && quoted && text[i + 1] === '"') {
      current += '\\"';
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && separator.test(c)) {
      if (current) out.push(current);
      current = "";
    } else current += c;
  }
  if (quoted) throw new Error("an unterminated quote");
  if (current) out.push(current);
  return out;
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replace(/\\"/g, '"') : value;
}

/** `YYYYMMDD[HHMM[SS]][Z]`: UTC with Z, local time without (as ssh-keygen reads it). */
function timestamp(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z)?$/.exec(value);
  if (!m) throw new Error(`"${value}" is not a YYYYMMDD[HHMM[SS]][Z] time`);
  const parts = [
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  ] as const;
  return m[7] ? Date.UTC(...parts) : new Date(...parts).getTime();
}

export function parseAllowedSigners(text: string): AllowedSigner[] {
  const signers: AllowedSigner[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    try {
      const parts = split(trimmed, /[ \t]/);
      const principals = parts[0]!.split(",").filter(Boolean);
      let at = 1;
      const signer: Partial<AllowedSigner> = { principals, certAuthority: false, line };
      // Options come before the key type when present.
      if (parts[at] !== undefined && !/^(ssh-|ecdsa-|sk-)/.test(parts[at]!)) {
        for (const option of split(parts[at]!, /,/)) {
          const [name, quotedValue = ""] = option.split(/=(.*)/s) as [string, string?];
          const value = unquote(quotedValue);
          const key = name.toLowerCase();
          if (key === "cert-authority") signer.certAuthority = true;
          else if (key === "namespaces") signer.namespaces = value.split(",").filter(Boolean);
          else if (key === "valid-after") signer.validAfter = timestamp(value);
          else if (key === "valid-before") signer.validBefore = timestamp(value);
          else throw new Error(`unknown option "${name}"`);
        }
        at++;
      }
      const type = parts[at];
      const blob = parts[at + 1];
      if (!type || !blob) throw new Error("expected: principals [options] key-type base64-key");
      const key = parsePublicKey(Buffer.from(blob, "base64"));
      if (key.type !== type) throw new Error(`the key is ${key.type}, not ${type}`);
      signers.push({ ...(signer as AllowedSigner), key });
    } catch (error) {
      throw new AllowedSignersError(line, (error as Error).message);
    }
  });
  return signers;
}

/** OpenSSH's pattern match: `*` and `?` wildcards, case-sensitive. */
function matches(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "s",
  );
  return regex.test(value);
}

/** A pattern list: a match on a negated pattern (`!x`) excludes, whatever else matches. */
function matchesList(patterns: readonly string[], value: string): boolean {
  let found = false;
  for (const pattern of patterns) {
    if (pattern.startsWith("!")) {
      if (matches(pattern.slice(1), value)) return false;
    } else if (matches(pattern, value)) found = true;
  }
  return found;
}

/**
 * The principal a key may sign as in `namespace` at `at`: the one claimed, if a line for
 * that key allows it; without a claim, the line's single literal principal. Undefined when
 * no line allows the key.
 */
export function signerIdentity(options: {
  signers: readonly AllowedSigner[];
  key: SshPublicKey;
  namespace: string;
  at: number;
  claimed?: string;
}): string | undefined {
  for (const signer of options.signers) {
    if (signer.certAuthority || !signer.key.blob.equals(options.key.blob)) continue;
    if (signer.namespaces && !matchesList(signer.namespaces, options.namespace)) continue;
    if (signer.validAfter !== undefined && options.at < signer.validAfter) continue;
    if (signer.validBefore !== undefined && options.at > signer.validBefore) continue;
    if (options.claimed !== undefined) {
      if (matchesList(signer.principals, options.claimed)) return options.claimed;
      continue;
    }
    const literal = signer.principals.filter((p) => !/[*?!]/.test(p));
    if (literal.length === 1) return literal[0];
  }
  return undefined;
}
