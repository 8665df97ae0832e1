import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestKey {
  type: string;
  privateFile: string;
  publicFile: string;
  /** `<type> <base64>` */
  publicKey: string;
}

/** A fresh key made by ssh-keygen itself, without a passphrase. */
export async function sshKey(
  dir: string,
  type: "ed25519" | "ecdsa" | "rsa",
  bits?: number,
): Promise<TestKey> {
  const privateFile = join(dir, `id_${type}${bits ?? ""}_${Math.random().toString(16).slice(2, 8)}`);
  await run("ssh-keygen", [
    "-q",
    "-t",
    type,
    ...(bits ? ["-b", String(bits)] : []),
    "-N",
    "",
    "-C",
    "test",
    "-f",
    privateFile,
  ]);
  const publicKey = (await readFile(`${privateFile}.pub`, "utf8")).trim().split(" ").slice(0, 2).join(" ");
  return { type, privateFile, publicFile: `${privateFile}.pub`, publicKey };
}

/** `ssh-keygen -Y sign` over `message` in `namespace`: the armored signature. */
export async function sshSign(
  key: TestKey,
  message: string,
  namespace: string,
  dir: string,
): Promise<string> {
  const file = join(dir, `msg-${Math.random().toString(16).slice(2, 8)}`);
  await writeFile(file, message);
  await run("ssh-keygen", ["-Y", "sign", "-q", "-f", key.privateFile, "-n", namespace, file]);
  return readFile(`${file}.sig`, "utf8");
}

/** `ssh-keygen -Y verify`: the reference verdict. */
export async function sshVerify(options: {
  allowedSigners: string;
  identity: string;
  namespace: string;
  signature: string;
  message: string;
  dir: string;
}): Promise<boolean> {
  const sig = join(options.dir, `v-${Math.random().toString(16).slice(2, 8)}.sig`);
  await writeFile(sig, options.signature);
  return new Promise((resolve) => {
    const child = execFile(
      "ssh-keygen",
      [
        "-Y",
        "verify",
        "-f",
        options.allowedSigners,
        "-I",
        options.identity,
        "-n",
        options.namespace,
        "-s",
        sig,
      ],
      (error) => resolve(!error),
    );
    child.stdin!.end(options.message);
  });
}
