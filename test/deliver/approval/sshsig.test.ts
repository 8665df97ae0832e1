import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllowedSigners, signerIdentity } from "../../../src/deliver/approval/allowed-signers.js";
import { parseSignature, verifySignature } from "../../../src/deliver/approval/sshsig.js";
import { tempDir } from "../../helpers/tmp.js";
import { sshKey, sshSign, sshVerify } from "./ssh-keys.js";

/** Signatures made by the real ssh-keygen, judged by shipgate and by `ssh-keygen -Y verify` alike. */
describe("SSH signatures", () => {
  const KEYS = [
    ["ed25519", undefined],
    ["ecdsa", 256],
    ["ecdsa", 384],
    ["ecdsa", 521],
    ["rsa", 2048],
  ] as const;

  it.each(KEYS)(
    "%s %s: shipgate's verdicts equal ssh-keygen's",
    async (type, bits) => {
      const dir = await tempDir();
      const key = await sshKey(dir, type, bits);
      const other = await sshKey(dir, "ed25519");
      const allowed = join(dir, "allowed_signers");
      await writeFile(allowed, `alice@example.com namespaces="shipgate-approval" ${key.publicKey}\n`);
      const signers = parseAllowedSigners(
        `alice@example.com namespaces="shipgate-approval" ${key.publicKey}\n`,
      );
      const message = "shipgate approval request v1\napproval: apr-1\n";
      const good = await sshSign(key, message, "shipgate-approval", dir);
      const cases = [
        { name: "as signed", signature: good, message, namespace: "shipgate-approval" },
        { name: "message changed", signature: good, message: `${message}x`, namespace: "shipgate-approval" },
        {
          name: "other namespace",
          signature: await sshSign(key, message, "git", dir),
          message,
          namespace: "shipgate-approval",
        },
        {
          name: "key not listed",
          signature: await sshSign(other, message, "shipgate-approval", dir),
          message,
          namespace: "shipgate-approval",
        },
      ];
      for (const c of cases) {
        const parsed = parseSignature(c.signature);
        const ours =
          verifySignature(parsed, c.message, c.namespace) &&
          signerIdentity({
            signers,
            key: parsed.publicKey,
            namespace: c.namespace,
            at: Date.now(),
            claimed: "alice@example.com",
          }) !== undefined;
        const reference = await sshVerify({
          allowedSigners: allowed,
          identity: "alice@example.com",
          namespace: c.namespace,
          signature: c.signature,
          message: c.message,
          dir,
        });
        expect({ case: c.name, ours }).toEqual({ case: c.name, ours: reference });
      }
      expect(verifySignature(parseSignature(good), message, "shipgate-approval")).toBe(true);
    },
    30_000,
  );

  it("reads allowed signers as ssh-keygen does: principal patterns, namespaces, validity window", async () => {
    const dir = await tempDir();
    const key = await sshKey(dir, "ed25519");
    const text = [
      "# approvers",
      `*@example.com,!mallory@example.com namespaces="shipgate-approval,git",valid-after="20250101",valid-before="20300101Z" ${key.publicKey} laptop`,
      "",
    ].join("\n");
    const signers = parseAllowedSigners(text);
    const file = join(dir, "allowed_signers");
    await writeFile(file, text);
    const at = Date.UTC(2026, 0, 1);
    const parsed = parseSignature(await sshSign(key, "m", "shipgate-approval", dir));
    const identity = (claimed?: string, when = at, namespace = "shipgate-approval") =>
      signerIdentity({ signers, key: parsed.publicKey, namespace, at: when, ...(claimed && { claimed }) });
    expect(identity("bob@example.com")).toBe("bob@example.com");
    expect(identity("mallory@example.com")).toBeUndefined();
    expect(identity("bob@elsewhere.org")).toBeUndefined();
    expect(identity()).toBeUndefined(); // only patterns: a claim is needed
    expect(identity("bob@example.com", Date.UTC(2031, 0, 1))).toBeUndefined();
    expect(identity("bob@example.com", at, "other")).toBeUndefined();
    expect(() => parseAllowedSigners(`alice ssh-ed25519 AAAA notbase64key`)).toThrow(/line|key|truncated/i);
    // The same file, the same claims, now: ssh-keygen agrees.
    const signature = await sshSign(key, "m", "shipgate-approval", dir);
    for (const claimed of ["bob@example.com", "mallory@example.com", "bob@elsewhere.org"]) {
      const reference = await sshVerify({
        allowedSigners: file,
        identity: claimed,
        namespace: "shipgate-approval",
        signature,
        message: "m",
        dir,
      });
      expect({ claimed, ours: identity(claimed, Date.now()) !== undefined }).toEqual({
        claimed,
        ours: reference,
      });
    }
  });
});
