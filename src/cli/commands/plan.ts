import type { RegisterCommand } from "./index.js";

export const registerPlan: RegisterCommand = (program) => {
  program.command("plan").description("(being written)");
};
