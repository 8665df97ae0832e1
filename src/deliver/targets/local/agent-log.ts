import { redact } from "../../../redact.js";

export type AgentLog = (
  level: "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** One JSON object a line, passed through `redact` like everything shipgate writes. */
export function createAgentLog(out: { write(chunk: string): unknown }): AgentLog {
  return (level, msg, fields) => {
    out.write(`${redact(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }))}\n`);
  };
}
