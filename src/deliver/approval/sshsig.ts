import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";

/**
 * SSH signatures (`ssh-keygen -Y sign`, the format git uses for signed commits): parsing and
 * verification, written against OpenSSH's PROTOCOL.sshsig. Keys: ssh-ed25519,
 * ecdsa-sha2-nistp256/384/521 and ssh-rsa with rsa-sha2-256/512 signatures. Security keys
 * (sk-*) and certificates are not accepted.
 */

export interface SshPublicKey {
  type: string;
  /** The key's wire blob: what allowed_signers holds, base64. */
  blob: Buffer;
  /** `SHA256:<base64>`, as ssh-keygen -l prints it. */
  fingerprint: string;
  key: KeyObject;
}

export interface SshSignature {
  publicKey: SshPublicKey;
  namespace: string;
  hashAlgorithm: "sha256" | "sha512";
  signatureType: string;
  signature: Buffer;
}

export class SshSignatureError extends Error {}

/** Reads SSH wire-format values from a buffer. */
class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}
  bytes(length: number): Buffer {
    if (this.at + length > this.buffer.length) throw new SshSignatureError("truncated");
    const out = this.buffer.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
  text(): string {
    return this.string().toString("utf8");
  }
  get done(): boolean {
    return this.at === this.buffer.length;
  }
}

function sshString(value: Buffer | string): Buffer {
  const data = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  return Buffer.concat([length, data]);
}

/** An mpint without its sign byte, left-padded to `size` bytes. */
function unsigned(mpint: Buffer, size?: number): Buffer {
  let value = mpint;
  while (value.length > 1 && value[0] === 0) value = value.subarray(1);
  if (size === undefined || value.length >= size) return value;
  return Buffer.concat([Buffer.alloc(size - value.length), value]);
}

const CURVES: Record<string, { crv: string; size: number; hash: string }> = {
  nistp256: { crv: "P-256", size: 32, hash: "sha256" },
  nistp384: { crv: "P-384", size: 48, hash: "sha384" },
  nistp521: { crv: "P-521", size: 66, hash: "sha512" },
};

export function parsePublicKey(blob: Buffer): SshPublicKey {
  const r = new Reader(blob);
  const type = r.text();
  let key: KeyObject;
  if (type === "ssh-ed25519") {
    key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: r.string().toString("base64url") },
      format: "jwk",
    });
  } else if (type === "ssh-rsa") {
    const e = unsigned(r.string());
    const n = unsigned(r.string());
    key = createPublicKey({
      key: { kty: "RSA", n: n.toString("base64url"), e: e.toString("base64url") },
      format: "jwk",
    });
  } else if (type.startsWith("ecdsa-sha2-")) {
    const curve = CURVES[r.text()];
    const point = r.string();
    if (!curve || point[0] !== 4 || point.length !== 1 + 2 * curve.size)
      throw new SshSignatureError(`unsupported ECDSA key`);
    key = createPublicKey({
      key: {
        kty: "EC",
        crv: curve.crv,
        x: point.subarray(1, 1 + curve.size).toString("base64url"),
        y: point.subarray(1 + curve.size).toString("base64url"),
      },
      format: "jwk",
    });
  } else {
    throw new SshSignatureError(`${type} keys are not supported (use ed25519, ecdsa or rsa)`);
  }
  const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { type, blob, fingerprint, key };
}

/** Parses an armored `-----BEGIN SSH SIGNATURE-----` block. */
export function parseSignature(armored: string): SshSignature {
  const match = /-----BEGIN SSH SIGNATURE-----([\s\S]*?)-----END SSH SIGNATURE-----/.exec(armored);
  if (!match) throw new SshSignatureError("not an SSH signature (no BEGIN SSH SIGNATURE block)");
  const r = new Reader(Buffer.from(match[1]!.replace(/\s+/g, ""), "base64"));
  if (r.bytes(6).toString("latin1") !== "SSHSIG") throw new SshSignatureError("not an SSHSIG blob");
  const version = r.uint32();
  if (version !== 1) throw new SshSignatureError(`signature version ${version} is not supported`);
  const publicKey = parsePublicKey(r.string());
  const namespace = r.text();
  r.string(); // reserved
  const hashAlgorithm = r.text();
  if (hashAlgorithm !== "sha256" && hashAlgorithm !== "sha512") {
    throw new SshSignatureError(`hash algorithm ${hashAlgorithm} is not supported`);
  }
  const sig = new Reader(r.string());
  const signatureType = sig.text();
  const signature = sig.string();
  if (!r.done || !sig.done) throw new SshSignatureError("trailing data after the signature");
  return { publicKey, namespace, hashAlgorithm, signatureType, signature };
}

/** Whether `signature` is its key's signature of `message` in `namespace`. */
export function verifySignature(
  signature: SshSignature,
  message: Buffer | string,
  namespace: string,
): boolean {
  if (signature.namespace !== namespace) return false;
  const digest = createHash(signature.hashAlgorithm).update(message).digest();
  const signed = Buffer.concat([
    Buffer.from("SSHSIG", "latin1"),
    sshString(namespace),
    sshString(""),
    sshString(signature.hashAlgorithm),
    sshString(digest),
  ]);
  const { publicKey, signatureType } = signature;
  try {
    if (publicKey.type === "ssh-ed25519") {
      return signatureType === "ssh-ed25519" && verify(null, signed, publicKey.key, signature.signature);
    }
    if (publicKey.type === "ssh-rsa") {
      const hash = { "rsa-sha2-256": "sha256", "rsa-sha2-512": "sha512" }[signatureType];
      // ssh-rsa (SHA-1) signatures are refused, as OpenSSH refuses them.
      return hash !== undefined && verify(hash, signed, publicKey.key, signature.signature);
    }
    const curve = CURVES[publicKey.type.slice("ecdsa-sha2-".length)];
    if (!curve || signatureType !== publicKey.type) return false;
    const rs = new Reader(signature.signature);
    const raw = Buffer.concat([unsigned(rs.string(), curve.size), unsigned(rs.string(), curve.size)]);
    return verify(curve.hash, signed, { key: publicKey.key, dsaEncoding: "ieee-p1363" }, raw);
  } catch {
    return false;
  }
}
