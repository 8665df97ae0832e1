import type { RegisterCommand } from "./index.js";

export const registerDemo: RegisterCommand = (program) => {
  program.command("demo").description("(being written)");
};
