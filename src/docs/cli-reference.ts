import { createProgram } from "../cli/main.js";

/** docs/cli.md: every command's help text, as the CLI prints it. */
export function renderCliReference(): string {
  const program = createProgram({
    io: {
      stdout: { write: () => true },
      stderr: { write: () => true },
      cwd: ".",
      env: {},
      interactive: false,
      color: false,
    },
    exitCode: 0,
  });
  program.configureHelp({ helpWidth: 100 });
  const parts = [
    "# CLI reference",
    "",
    "Generated from the command definitions; `npx vitest run test/docs` fails when it drifts",
    "(`UPDATE_DOCS=1 npx vitest run test/docs` rewrites it).",
    "",
    "## Exit codes",
    "",
    "| code | meaning |",
    "| --- | --- |",
    "| 0 | success |",
    "| 1 | a check, gate, finding or rollout failed |",
    "| 2 | bad usage or bad input (the error names `file:line:column` and how to fix it) |",
    "",
    "Output is plain when it is not a terminal or when `NO_COLOR` is set. Whatever a command prints",
    "from files, reports or servers reaches the terminal with control characters and Unicode",
    "bidirectional overrides shown as escapes (`\\u001b`, `\\u202e`), so no file can move the cursor,",
    "erase lines or reorder what is shown; JSON output keeps the same data (the escapes are JSON's).",
    "",
    "## shipgate",
    "",
    "```",
    program.helpInformation().trimEnd(),
    "```",
  ];
  for (const command of program.commands) {
    command.configureHelp({ helpWidth: 100 });
    parts.push("", `## shipgate ${command.name()}`, "", "```", command.helpInformation().trimEnd(), "```");
  }
  return `${parts.join("\n")}\n`;
}
