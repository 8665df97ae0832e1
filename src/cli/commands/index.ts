import type { Command } from "commander";
import type { CliContext } from "../main.js";

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command, in the order `--help` lists them. Each file imports its library lazily. */
export const COMMANDS: RegisterCommand[] = [];
