import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";

/**
 * Which process is a state directory's agent, decided by a lock the kernel keeps, never by a
 * time-out. The agent listens on a Unix socket in Linux's abstract namespace named after the
 * state directory: only one process can hold the name, the kernel frees it the moment that
 * process dies (no stale file to clean up), and connecting to it succeeds while the holder
 * lives even if it is paused or too busy to answer. So "the agent does not answer" and "there
 * is no agent" are told apart, and a stuck agent is reported instead of replaced behind its
 * back (a second agent would kill the first one's instances and fight it for the ports).
 *
 * The name is not a secret and not access control: the control API's token is. A local user
 * who takes the name first can keep an agent from starting, which the start-up error says.
 */

const SUPPORTED = process.platform === "linux";

/** The lock's name, from the state directory's real path; undefined when it does not exist (no agent can). */
export function lockName(stateDir: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(stateDir);
  } catch {
    return undefined;
  }
  return `\0shipgate-agent-${createHash("sha256").update(real).digest("hex").slice(0, 40)}`;
}

export interface HeldLock {
  release(): Promise<void>;
}

export type LockAttempt = { acquired: true; lock: HeldLock } | { acquired: false; holder?: number };

/** Takes the agent lock of `stateDir` for this process, or says which pid holds it. */
export async function takeAgentLock(stateDir: string): Promise<LockAttempt> {
  const name = SUPPORTED ? lockName(stateDir) : undefined;
  if (name === undefined) return { acquired: true, lock: { release: async () => {} } };
  // Whoever connects is told the holder's pid, then the connection ends.
  const server: Server = createServer((socket) => {
    socket.on("error", () => {});
    socket.end(`${process.pid}\n`);
  });
  const bound = await new Promise<boolean>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" ? resolve(false) : reject(error),
    );
    server.listen(name, () => resolve(true));
  });
  if (!bound) {
    const holder = await lockHolder(stateDir);
    return { acquired: false, ...(typeof holder === "number" && { holder }) };
  }
  server.unref();
  return {
    acquired: true,
    lock: { release: () => new Promise<void>((resolve) => server.close(() => resolve())) },
  };
}

/**
 * The pid of the process holding the lock; `"held"` when it is held but the holder did not
 * say (paused, or out of descriptors); `"free"` when no process holds it. Where the platform
 * has no abstract sockets, `"unknown"`.
 */
export function lockHolder(
  stateDir: string,
  timeoutMs = 1_000,
): Promise<number | "held" | "free" | "unknown"> {
  if (!SUPPORTED) return Promise.resolve("unknown");
  const name = lockName(stateDir);
  if (name === undefined) return Promise.resolve("free");
  return new Promise((resolve) => {
    const socket = connect(name);
    let text = "";
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      // Connected but silent: the holder lives but does not run. Not connected at all within
      // the time: its backlog is full, which only a live holder has.
      resolve("held");
    }, timeoutMs);
    socket.on("connect", () => {
      connected = true;
    });
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    socket.on("end", () => {
      clearTimeout(timer);
      const pid = Number(text.trim());
      resolve(Number.isInteger(pid) && pid > 0 ? pid : "held");
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(!connected && (error.code === "ECONNREFUSED" || error.code === "ENOENT") ? "free" : "held");
    });
  });
}
