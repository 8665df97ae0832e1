import { describe, expect, it } from "vitest";
import { imageArtifact, isImageArtifact, isImageReference } from "../../src/deliver/image-artifact.js";
import { LedgerTrust } from "../../src/deliver/trust.js";
import { openLedger } from "../../src/ledger/index.js";
import { tempDir } from "../helpers/tmp.js";

describe("image artifacts", () => {
  it("records an image the first time it is named, with a build event the ledger trusts", async () => {
    const dir = await tempDir();
    const ledger = await openLedger({ stateDir: dir });
    try {
      const digest = `sha256:${"a".repeat(64)}`;
      const ref = `ghcr.io/acme/orders@${digest}`;
      const first = await imageArtifact({ ledger, ref, cwd: dir });
      expect(first).toMatchObject({ id: ref, digest, location: ref });
      expect(isImageArtifact(first)).toBe(true);
      expect(await new LedgerTrust(ledger).artifact(first)).toEqual(first);
      // Named again: the same record, no second build event.
      expect(await imageArtifact({ ledger, ref, cwd: dir })).toEqual(first);
      const built = (await ledger.listEvents({ env: "*" })).filter((e) => e.type === "artifact.built");
      expect(built).toHaveLength(1);
    } finally {
      await ledger.close();
    }
  });

  it("takes references by tag or digest, with a registry host and port, and refuses anything else (exit 2)", async () => {
    for (const ref of [
      "orders:v2",
      "registry.test:5000/team/orders:3f2a9c1e0b7d",
      `orders@sha256:${"b".repeat(64)}`,
    ]) {
      expect(isImageReference(ref), ref).toBe(true);
    }
    for (const ref of [
      "orders",
      "Orders:v1",
      "orders:v1; rm -rf /",
      "orders@sha256:short",
      "orders@3f2a9c1e",
    ]) {
      expect(isImageReference(ref), ref).toBe(false);
    }
    const dir = await tempDir();
    const ledger = await openLedger({ stateDir: dir });
    try {
      await expect(imageArtifact({ ledger, ref: "orders@3f2a9c1e", cwd: dir })).rejects.toMatchObject({
        code: "deploy/not-an-image",
        exitCode: 2,
      });
    } finally {
      await ledger.close();
    }
  });
});
