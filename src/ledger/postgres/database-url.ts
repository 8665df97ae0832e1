import { redact } from "../../redact.js";

/** What may be said about a database URL: where it points, and what must never be printed. */
export interface DatabaseTarget {
  /** `postgres://user@host:port/database`, without password or query: safe for any message. */
  location: string;
  /** The password as written in the URL and percent-decoded: scrubbed from every message. */
  secrets: string[];
}

export function describeDatabaseUrl(databaseUrl: string): DatabaseTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    // Unparseable: say nothing about it beyond what redact() leaves of it.
    return { location: "the configured database URL", secrets: [] };
  }
  const secrets = [url.password, url.searchParams.get("password") ?? ""]
    .flatMap((secret) => [secret, safeDecode(secret)])
    .filter((secret) => secret.length > 0);
  const user = url.username ? `${url.username}@` : "";
  return { location: `${url.protocol}//${user}${url.host}${url.pathname}`, secrets: [...new Set(secrets)] };
}

/** `text` with the target's password and anything else redact() knows as a secret removed. */
export function scrub(text: string, target: DatabaseTarget): string {
  let out = text;
  // Longest first, so that a decoded password does not leave part of the encoded one behind.
  for (const secret of [...target.secrets].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join("***");
  }
  return redact(out);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
