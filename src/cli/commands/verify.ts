import type { RegisterCommand } from "./index.js";

export const registerVerify: RegisterCommand = (program) => {
  program.command("verify").description("(being written)");
};
