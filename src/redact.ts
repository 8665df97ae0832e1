/**
 * Secrets never reach output or logs. Everything shipgate prints passes through here.
 * Patterns cover webhook URLs, bearer tokens, credentials in URLs and well-known token shapes.
 */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/https:\/\/hooks\.slack\.com\/[^\s"'<>]+/g, "https://hooks.slack.com/***"],
  [/https:\/\/[a-z0-9.-]*webhook[a-z0-9.-]*\/[^\s"'<>]+/gi, "https://***webhook***"],
  [/\b(Bearer|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g, "$1 ***"],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,})\b/g, "***"],
  [/\b(github_pat_[A-Za-z0-9_]{20,})\b/g, "***"],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, "***"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, "***"],
  [/(\w+:\/\/)([^/\s:@]+):([^/\s@]+)@/g, "$1$2:***@"],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
