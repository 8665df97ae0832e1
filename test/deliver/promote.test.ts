import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildRelease } from "../../src/deliver/build.js";
import { deploy } from "../../src/deliver/deploy.js";
import { stopAgent } from "../../src/deliver/targets/local/index.js";
import { commitSampleRelease, createSampleRepo } from "../../src/demo/sample-repo.js";
import { openLedger } from "../../src/ledger/index.js";
import { freePort } from "../../src/net/free-port.js";
import { runCli } from "../helpers/cli.js";
import { sshKey, type TestKey } from "./approval/ssh-keys.js";

/**
 * Promotion of the exact artifact that passed staging, behind an approval recorded in the
 * ledger, with Slack told along the way through a webhook whose URL never reaches the output.
 * Approvers prove who they are with SSH keys made by ssh-keygen and listed in allowed_signers.
 */
describe("promote, approve, reject", () => {
  let dir: string;
  let webhook: Server;
  let webhookUrl: string;
  const posts: string[] = [];
  let passed: string;
  let untested: string;
  const keys: Record<string, TestKey> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "shipgate-promote-"));
    webhook = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        posts.push(JSON.parse(body).text);
        res.end("ok");
      });
    });
    await new Promise<void>((r) => webhook.listen(0, "127.0.0.1", r));
    const address = webhook.address();
    webhookUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/services/T0/B0/sekrit-token`;
    const [stagingPort, productionPort] = [await freePort(), await freePort()];
    await createSampleRepo({
      dir,
      config: `version: 1
app: { name: sample-app, language: node, start: node server.js, readyPath: /ready }
environments:
  staging:
    target: { type: local, port: ${stagingPort}, instances: 1 }
    strategy: blue-green
    rollback: { keepPrevious: 0s }
  production:
    target: { type: local, port: ${productionPort}, instances: 1 }
    promoteFrom: staging
    strategy: blue-green
    rollback: { keepPrevious: 0s }
    approval: { required: true, approvers: [alice, bob], expiresAfter: 1h }
notifications:
  slack: { webhookSecret: DEPLOY_SLACK_URL }
`,
    });
    const allowed: string[] = [];
    for (const name of ["alice", "bob", "carol", "mallory"]) {
      keys[name] = await sshKey(dir, "ed25519");
      allowed.push(`${name} namespaces="shipgate-approval" ${keys[name]!.publicKey}`);
    }
    await writeFile(join(dir, "allowed_signers"), `${allowed.join("\n")}\n`);
    await commitSampleRelease({ dir, release: { version: "1.0.0" } });
    passed = (await buildRelease({ cwd: dir })).artifact.id;
    const staged = await deploy({ env: "staging", artifact: passed, cwd: dir, requestedBy: "ci" });
    expect(staged.ok).toBe(true);
    await commitSampleRelease({ dir, release: { version: "1.1.0" } });
    untested = (await buildRelease({ cwd: dir })).artifact.id;
  }, 60_000);

  afterAll(async () => {
    await stopAgent({ stateDir: `${dir}/.shipgate` });
    webhook?.close();
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  const env = () => ({ DEPLOY_SLACK_URL: webhookUrl, GITHUB_ACTOR: "" });

  test("refuses an artifact that never passed staging", async () => {
    const run = await runCli(["promote", "staging", "production", "--artifact", untested, "--as", "carol"], {
      cwd: dir,
      env: env(),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`artifact ${untested} never passed staging`));
  });

  test("an unknown environment is bad usage; an environment nothing passed has nothing to promote", async () => {
    const unknown = await runCli(["promote", "qa", "production"], { cwd: dir, env: env() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no environment "qa"/);
    const empty = await runCli(["promote", "production", "staging", "--as", "carol"], {
      cwd: dir,
      env: env(),
    });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/nothing has passed production yet/);
  });

  let approvalId: string;
  test("records a pending request and exits 1 awaiting approval; asking again reuses it", async () => {
    const run = await runCli(["promote", "staging", "production", "--as", "carol"], { cwd: dir, env: env() });
    expect(run.code).toBe(1);
    const match = /awaiting approval of (apr-[0-9a-f]{8})/.exec(run.stdout);
    expect(match, run.stdout + run.stderr).not.toBeNull();
    approvalId = match![1]!;
    const again = await runCli(["promote", "staging", "production", "--as", "carol"], {
      cwd: dir,
      env: env(),
    });
    expect(again.stdout).toContain(`awaiting approval of ${approvalId}`);
    expect(posts.some((p) => p.includes("awaiting approval") && p.includes(approvalId))).toBe(true);
  });

  const signed = (name: string) => ["--sign-with", keys[name]!.privateFile];

  test("an approval needs a signature; saying who you are is not enough", async () => {
    const asserted = await runCli(["approve", approvalId, "--as", "alice"], { cwd: dir, env: env() });
    expect(asserted.code).toBe(2);
    expect(asserted.stderr).toMatch(/takes a signature of the request/);
    // Signing as alice with carol's key: the allowed signers file says whose key it is.
    const impostor = await runCli(["approve", approvalId, "--as", "alice", ...signed("carol")], {
      cwd: dir,
      env: env(),
    });
    expect(impostor.code).toBe(1);
    expect(impostor.stderr).toMatch(/does not let key SHA256:\S+ approve as alice/);
    const request = await runCli(["approve", approvalId, "--show-request"], { cwd: dir, env: env() });
    expect(request.stdout).toMatch(/^shipgate approval request v1\napproval: apr-/);
    expect(request.stdout).toContain(`artifact: ${passed}`);
  });

  test("the requester cannot approve, nor can someone not in approvers; a rejection needs a reason", async () => {
    const own = await runCli(["approve", approvalId, ...signed("carol")], { cwd: dir, env: env() });
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/carol requested production-1-[0-9a-f]{6} and cannot approve it/);
    const stranger = await runCli(["approve", approvalId, ...signed("mallory")], { cwd: dir, env: env() });
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/mallory is not an approver of production/);
    const noReason = await runCli(["reject", approvalId, "--as", "bob"], { cwd: dir, env: env() });
    expect(noReason.code).toBe(2);
    const unknown = await runCli(["approve", "apr-00000000", "--as", "bob"], { cwd: dir, env: env() });
    expect(unknown.code).toBe(2);
  });

  test("an approver approves; the next promote deploys exactly the artifact and digest that passed", async () => {
    const ok = await runCli(["approve", approvalId, ...signed("alice")], { cwd: dir, env: env() });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`${approvalId} approved by alice`));
    const twice = await runCli(["approve", approvalId, ...signed("bob")], { cwd: dir, env: env() });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already approved by alice/);

    const run = await runCli(["promote", "staging", "production", "--as", "carol", "--json"], {
      cwd: dir,
      env: env(),
    });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.state).toBe("deployed");
    expect(result.outcome.deployment).toMatchObject({
      id: expect.stringMatching(/^production-1-[0-9a-f]{6}$/),
      status: "succeeded",
      artifactId: passed,
    });
    const deploymentId = result.outcome.deployment.id as string;

    const ledger = await openLedger({ stateDir: `${dir}/.shipgate` });
    const events = await ledger.listEvents({ deploymentId });
    const staging = await ledger.listEvents({ env: "staging" });
    await ledger.close();
    const digestOf = (list: typeof events) => list.find((e) => e.type === "deploy.requested")?.data.digest;
    expect(digestOf(events)).toBe(digestOf(staging));
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "approval.requested",
        "approval.approved",
        "deploy.requested",
        "deploy.succeeded",
      ]),
    );
    expect(events.find((e) => e.type === "approval.approved")?.data).toMatchObject({
      by: "alice",
      identity: "signature",
      key: expect.stringMatching(/^SHA256:/),
    });
    expect(posts.some((p) => p.includes("succeeded") && p.includes(deploymentId))).toBe(true);
    // The webhook URL is a secret: it never reaches the output.
    expect(run.stdout + run.stderr + ok.stdout).not.toContain("sekrit-token");
  }, 60_000);

  test("a rejection is recorded with its reason, and the next promote asks anew", async () => {
    // Stage the newer artifact so there is something new to promote.
    const staged = await deploy({ env: "staging", artifact: untested, cwd: dir, requestedBy: "ci" });
    expect(staged.ok).toBe(true);
    const ask = await runCli(["promote", "staging", "production", "--as", "carol"], { cwd: dir, env: env() });
    const id = /awaiting approval of (apr-[0-9a-f]{8})/.exec(ask.stdout)![1]!;
    const no = await runCli(["reject", id, "--as", "bob", "--reason", "freeze until Monday"], {
      cwd: dir,
      env: env(),
    });
    expect(no.code).toBe(0);
    const after = await runCli(["promote", "staging", "production", "--as", "carol"], {
      cwd: dir,
      env: env(),
    });
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/awaiting approval of apr-/);
    expect(after.stdout).not.toContain(id);
    const ledger = await openLedger({ stateDir: `${dir}/.shipgate` });
    const rejected = (await ledger.listApprovals({ status: "rejected" }))[0];
    const chain = await ledger.verifyChain();
    await ledger.close();
    expect(rejected).toMatchObject({ id, decidedBy: "bob", reason: "freeze until Monday" });
    expect(chain.ok).toBe(true);
  }, 60_000);

  test("an expired request cannot be approved", async () => {
    const { decideApproval } = await import("../../src/deliver/approve.js");
    const ledger = await openLedger({ stateDir: `${dir}/.shipgate` });
    const [pending] = await ledger.listApprovals({ status: "pending" });
    await ledger.close();
    const later = Date.parse(pending!.expiresAt!) + 1000;
    const error = await decideApproval({
      id: pending!.id,
      decision: "approve",
      actor: "alice",
      signWith: keys.alice!.privateFile,
      cwd: dir,
      now: () => later,
    }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/expired/);
  });

  test("promote --wait holds until an approver decides, then deploys", async () => {
    const { promote } = await import("../../src/deliver/promote.js");
    const { decideApproval } = await import("../../src/deliver/approve.js");
    await commitSampleRelease({ dir, release: { version: "1.3.0" } });
    const artifact = (await buildRelease({ cwd: dir })).artifact.id;
    expect((await deploy({ env: "staging", artifact, cwd: dir, requestedBy: "ci" })).ok).toBe(true);
    const waiting = promote({
      from: "staging",
      to: "production",
      cwd: dir,
      requestedBy: "carol",
      approvalWaitMs: 30_000,
      secrets: env(),
    });
    const ledger = await openLedger({ stateDir: `${dir}/.shipgate` });
    let pending: Awaited<ReturnType<typeof ledger.listApprovals>>[number] | undefined;
    for (let i = 0; i < 100 && !pending; i++) {
      for (const a of await ledger.listApprovals({ status: "pending" })) {
        if ((await ledger.getDeployment(a.deploymentId))?.artifactId === artifact) pending = a;
      }
      if (!pending) await new Promise((r) => setTimeout(r, 100));
    }
    await ledger.close();
    await decideApproval({
      id: pending!.id,
      decision: "approve",
      actor: "bob",
      signWith: keys.bob!.privateFile,
      cwd: dir,
    });
    const result = await waiting;
    expect(result.state).toBe("deployed");
    expect(result.state === "deployed" && result.outcome.deployment.artifactId).toBe(artifact);
  }, 60_000);

  test("a failing webhook never fails a deploy, and its URL is not printed", async () => {
    await commitSampleRelease({ dir, release: { version: "1.2.0" } });
    const artifact = (await buildRelease({ cwd: dir })).artifact.id;
    const dead = `http://127.0.0.1:${await freePort()}/services/T0/B0/dead-sekrit`;
    const run = await runCli(["deploy", "staging", "--artifact", artifact], {
      cwd: dir,
      env: { DEPLOY_SLACK_URL: dead },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: Slack notification failed/);
    expect(run.stdout + run.stderr).not.toContain("dead-sekrit");
  }, 60_000);
});
