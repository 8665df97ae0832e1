import type { RegisterCommand } from "./index.js";

export const registerInit: RegisterCommand = (program) => {
  program.command("init").description("(being written)");
};
