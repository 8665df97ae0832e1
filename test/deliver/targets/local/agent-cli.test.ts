import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { registerAgent } from "../../../../src/cli/commands/agent.js";
import type { CliContext } from "../../../../src/cli/main.js";
import { readAgentInfo } from "../../../../src/deliver/targets/local/agent-info.js";
import { agentPaths } from "../../../../src/deliver/targets/local/paths.js";
import { cleanUpAgent, tempStateDir, waitFor } from "./helpers.js";

let stateDir: string | undefined;
afterAll(async () => {
  if (stateDir) await cleanUpAgent(stateDir);
});

async function run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = "";
  const write = (chunk: string) => {
    out += chunk;
    return true;
  };
  const ctx: CliContext = {
    io: { stdout: { write }, stderr: { write }, cwd, env: {}, interactive: false, color: false },
    exitCode: 0,
  };
  const program = new Command().exitOverride();
  registerAgent(program, ctx);
  await program.parseAsync(args, { from: "user" });
  return { code: ctx.exitCode, out };
}

describe("shipgate agent", () => {
  it("runs in the foreground, reports its status and stops", async () => {
    stateDir = await tempStateDir();
    const project = join(stateDir, "..");
    expect(await run(["agent", "status"], project)).toEqual({ code: 0, out: "no agent runs\n" });
    expect(await run(["agent", "stop"], project)).toEqual({
      code: 0,
      out: `no agent runs for ${stateDir}\n`,
    });

    // `agent run` blocks until stopped, so it runs in a child process of its own.
    const script = join(project, "run-agent.mts");
    const command = pathToFileURL(join(import.meta.dirname, "../../../../src/cli/commands/agent.ts")).href;
    const commander = pathToFileURL(createRequire(import.meta.url).resolve("commander")).href;
    await writeFile(
      script,
      `import { Command } from ${JSON.stringify(commander)};\nimport { registerAgent } from ${JSON.stringify(command)};\n` +
        "const program = new Command();\n" +
        "registerAgent(program, { io: { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: {}, interactive: false, color: false }, exitCode: 0 });\n" +
        "await program.parseAsync(['agent', 'run'], { from: 'user' });\n",
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const child = spawn(process.execPath, ["--import", tsx, script], {
      cwd: project,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = once(child, "exit");
    let log = "";
    child.stdout.on("data", (c) => {
      log += c;
    });
    const info = await waitFor("agent.json", () => readAgentInfo(agentPaths(stateDir!)));
    expect(info.pid).toBe(child.pid);

    const status = await run(["agent", "status", "--json"], project);
    expect(JSON.parse(status.out)).toMatchObject({ running: true, pid: child.pid, environments: [] });
    expect(status.out).not.toContain(info.token);
    expect((await run(["agent", "status"], project)).out).toMatch(
      new RegExp(`^agent pid ${child.pid}, control port`),
    );

    expect(await run(["agent", "stop", "--state-dir", ".shipgate"], project)).toEqual({
      code: 0,
      out: `agent ${child.pid} drained and stopped\n`,
    });
    const [code] = await exited;
    expect(code).toBe(0);
    expect(log).toContain('"msg":"agent listening"');
    expect(log).not.toContain(info.token);
  });
});
