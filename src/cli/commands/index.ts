import type { Command } from "commander";
import type { CliContext } from "../main.js";
import { registerAgent } from "./agent.js";
import { registerApprove } from "./approve.js";
import { registerAudit } from "./audit.js";
import { registerBuild } from "./build.js";
import { registerCi } from "./ci.js";
import { registerDemo } from "./demo.js";
import { registerDeploy } from "./deploy.js";
import { registerDora } from "./dora.js";
import { registerGate } from "./gate.js";
import { registerGenerate } from "./generate.js";
import { registerHistory } from "./history.js";
import { registerInit } from "./init.js";
import { registerPlan } from "./plan.js";
import { registerPromote } from "./promote.js";
import { registerRollback } from "./rollback.js";
import { registerStatus } from "./status.js";
import { registerVerify } from "./verify.js";

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/**
 * Every command, in the order `--help` lists them. Each command file is thin: it parses
 * flags, imports its library function lazily (so `shipgate --help` stays fast) and prints.
 */
export const COMMANDS: RegisterCommand[] = [
  registerInit,
  registerGenerate,
  registerPlan,
  registerCi,
  registerAudit,
  registerVerify,
  registerGate,
  registerBuild,
  registerDeploy,
  registerPromote,
  registerApprove,
  registerStatus,
  registerRollback,
  registerHistory,
  registerDora,
  registerAgent,
  registerDemo,
];
