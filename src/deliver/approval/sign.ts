import { spawn } from "node:child_process";
import { inputError } from "../../errors.js";
import { APPROVAL_NAMESPACE } from "./request.js";

/**
 * Signs a request with the approver's SSH key through `ssh-keygen -Y sign` (a private key
 * file, or a public key whose private half is in ssh-agent): shipgate never reads the key.
 */
export function signWithSshKeygen(options: { request: string; keyFile: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh-keygen", ["-Y", "sign", "-f", options.keyFile, "-n", APPROVAL_NAMESPACE, "-q"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString("utf8");
    });
    child.on("error", (error) =>
      reject(
        inputError("approve/no-ssh-keygen", `cannot run ssh-keygen: ${error.message}`, {
          hint: "install OpenSSH 8.2 or later, or sign elsewhere and pass --signature <file>",
        }),
      ),
    );
    child.on("close", (code) => {
      if (code === 0 && out.includes("BEGIN SSH SIGNATURE")) resolve(out);
      else
        reject(
          inputError(
            "approve/sign-failed",
            `ssh-keygen could not sign with ${options.keyFile}: ${err.trim() || `exit ${code}`}`,
            {
              hint: "pass your private key file, or your public key file with the private key loaded in ssh-agent",
            },
          ),
        );
    });
    child.stdin.end(options.request);
  });
}
