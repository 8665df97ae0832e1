import type { RegisterCommand } from "./index.js";

export const registerGenerate: RegisterCommand = (program) => {
  program.command("generate").description("(being written)");
};
