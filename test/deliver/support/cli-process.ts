/**
 * The CLI from the TypeScript sources, as a real process (`node --import tsx cli-process.ts …`),
 * so tests can kill it without a build. With SHIPGATE_KILL_AT_STEP=<n> it SIGKILLs itself
 * SHIPGATE_KILL_DELAY_MS after the ledger records step n as started: a crash drill at an
 * exact point, arranged from outside the product code.
 */
import { main } from "../../../src/cli/main.js";
import { armKillAtStep } from "./kill-at-step.js";

armKillAtStep();

process.exitCode = await main(process.argv.slice(2));
