import { spawn } from "node:child_process";
import { inputError } from "../errors.js";

/** Runs git and returns its stdout; a failure is a ShipgateError naming the command. */
export function git(args: string[], options: { cwd: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) =>
      reject(
        inputError("git/unavailable", `cannot run git: ${error.message}`, {
          hint: "install git; shipgate builds artifacts from the repository's commits",
        }),
      ),
    );
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          inputError("git/failed", `git ${args[0]} failed: ${Buffer.concat(err).toString("utf8").trim()}`, {
            hint: "run shipgate inside a git repository with at least one commit",
          }),
        );
    });
  });
}

export async function gitText(args: string[], options: { cwd: string }): Promise<string> {
  return (await git(args, options)).toString("utf8").trim();
}
