import { readFile } from "node:fs/promises";
import { ShipgateError } from "../../errors.js";
import { AllowedSignersError, parseAllowedSigners, signerIdentity } from "./allowed-signers.js";
import { APPROVAL_NAMESPACE } from "./request.js";
import { parseSignature, SshSignatureError, verifySignature } from "./sshsig.js";

export interface VerifiedApprover {
  /** The principal the allowed signers file names for the key. */
  identity: string;
  /** The key's SHA256 fingerprint. */
  key: string;
}

/**
 * Checks an approval's signature: over exactly this request, in the approval namespace, by a
 * key the allowed signers file lists for that namespace at this time. Returns who signed; a
 * bad signature, an unlisted key or a claim the file does not allow is exit 1.
 */
export async function verifyApprovalSignature(options: {
  request: string;
  signature: string;
  allowedSignersFile: string;
  /** `--as`: which of the key's principals the approver acts as. */
  claimed?: string;
  at: number;
}): Promise<VerifiedApprover> {
  const refuse = (message: string, hint: string) =>
    new ShipgateError({ code: "approve/bad-signature", message, hint }, { exitCode: 1 });
  let parsed: ReturnType<typeof parseSignature>;
  try {
    parsed = parseSignature(options.signature);
  } catch (error) {
    if (error instanceof SshSignatureError) {
      throw refuse(`the approval signature cannot be read: ${error.message}`, SIGN_HINT);
    }
    throw error;
  }
  if (!verifySignature(parsed, options.request, APPROVAL_NAMESPACE)) {
    throw refuse(
      `the signature is not a ${APPROVAL_NAMESPACE} signature of this request by ${parsed.publicKey.fingerprint}`,
      SIGN_HINT,
    );
  }
  const signers = await readAllowedSigners(options.allowedSignersFile);
  const identity = signerIdentity({
    signers,
    key: parsed.publicKey,
    namespace: APPROVAL_NAMESPACE,
    at: options.at,
    ...(options.claimed !== undefined && { claimed: options.claimed }),
  });
  if (identity === undefined) {
    throw refuse(
      options.claimed
        ? `${options.allowedSignersFile} does not let key ${parsed.publicKey.fingerprint} approve as ${options.claimed}`
        : `${options.allowedSignersFile} lists key ${parsed.publicKey.fingerprint} for no single principal in namespace ${APPROVAL_NAMESPACE}`,
      `add "<you@example.com> namespaces=\\"${APPROVAL_NAMESPACE}\\" ${parsed.publicKey.type} <key>" to ${options.allowedSignersFile} in a reviewed change`,
    );
  }
  return { identity, key: parsed.publicKey.fingerprint };
}

const SIGN_HINT = `sign the request shown by "shipgate approve <id> --show-request" with: ssh-keygen -Y sign -f <key> -n ${APPROVAL_NAMESPACE}`;

async function readAllowedSigners(file: string) {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new ShipgateError(
      {
        code: "approve/no-allowed-signers",
        message: `there is no allowed signers file at ${file}: nobody can approve`,
        hint: "commit one (the format of ssh-keygen -Y verify, one line per approver's key), or set approval.allowedSigners",
      },
      { exitCode: 2 },
    );
  }
  try {
    return parseAllowedSigners(text);
  } catch (error) {
    if (error instanceof AllowedSignersError) {
      throw new ShipgateError(
        {
          code: "approve/bad-allowed-signers",
          message: `${error.message}`,
          location: { file, line: error.line, column: 1 },
          hint: 'each line: principals [namespaces="…"] key-type base64-key [comment]',
        },
        { exitCode: 2 },
      );
    }
    throw error;
  }
}
