import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { ShipgateError } from "../errors.js";
import type { Ledger, LockRecord } from "../ledger/types.js";

const TTL_MS = 15_000;
const RENEW_EVERY_MS = 3_000;
const POLL_MS = 250;

export interface HeldLock {
  owner: string;
  /** The holder this lock was taken over from, when it had died: its deployment needs finishing. */
  tookOverFrom?: LockRecord;
  /** False once a renewal failed: another process took the environment. */
  held(): boolean;
  /** Names the deployment the lock is held for, once it exists. */
  attach(deploymentId: string): Promise<void>;
  release(): Promise<void>;
}

export function newOwner(): string {
  return `${process.pid}@${hostname()}/${randomBytes(4).toString("hex")}`;
}

/**
 * Whether the process holding a lock is gone. On this host the pid answers; elsewhere only
 * expiry can tell, which is why holders renew every few seconds.
 */
export function holderIsDead(lock: LockRecord, now = Date.now()): boolean {
  if (Date.parse(lock.expiresAt) <= now) return true;
  const match = /^(\d+)@([^/]+)\//.exec(lock.owner);
  if (!match || match[2] !== hostname()) return false;
  try {
    process.kill(Number(match[1]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * One deployment per environment: takes the environment's lock in the ledger, waiting up to
 * `waitMs` for a live holder, taking over from a dead one, and renewing it until released.
 */
export async function acquireEnvironmentLock(options: {
  ledger: Ledger;
  env: string;
  deploymentId?: string;
  waitMs: number;
  onWait?: (holder: LockRecord) => void;
}): Promise<HeldLock> {
  const { ledger, env, deploymentId } = options;
  const owner = newOwner();
  const deadline = Date.now() + options.waitMs;
  let announced = false;
  for (;;) {
    let result = await ledger.acquireLock({
      env,
      owner,
      ttlMs: TTL_MS,
      ...(deploymentId && { deploymentId }),
    });
    let tookOverFrom: LockRecord | undefined;
    if (!result.acquired && holderIsDead(result.holder)) {
      tookOverFrom = result.holder;
      result = await ledger.acquireLock({
        env,
        owner,
        ttlMs: TTL_MS,
        replaceOwner: result.holder.owner,
        ...(deploymentId && { deploymentId }),
      });
    }
    if (result.acquired) return heartbeat({ ledger, env, owner, deploymentId, tookOverFrom });
    if (Date.now() >= deadline) throw busy(env, result.holder, options.waitMs);
    if (!announced) {
      options.onWait?.(result.holder);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function heartbeat(options: {
  ledger: Ledger;
  env: string;
  owner: string;
  deploymentId: string | undefined;
  tookOverFrom: LockRecord | undefined;
}): HeldLock {
  const { ledger, env, owner } = options;
  let deploymentId = options.deploymentId;
  let held = true;
  const timer = setInterval(() => {
    ledger
      .renewLock({ env, owner, ttlMs: TTL_MS, ...(deploymentId && { deploymentId }) })
      .then((ok) => {
        if (!ok) held = false;
      })
      .catch(() => {
        // A ledger hiccup is retried at the next tick; expiry is three ticks away.
      });
  }, RENEW_EVERY_MS);
  timer.unref();
  return {
    owner,
    ...(options.tookOverFrom && { tookOverFrom: options.tookOverFrom }),
    held: () => held,
    attach: async (id) => {
      deploymentId = id;
      held = await ledger.renewLock({ env, owner, ttlMs: TTL_MS, deploymentId });
    },
    release: async () => {
      clearInterval(timer);
      await ledger.releaseLock({ env, owner });
    },
  };
}

function busy(env: string, holder: LockRecord, waitMs: number): ShipgateError {
  const what = holder.deploymentId ? `deployment ${holder.deploymentId}` : "another command";
  return new ShipgateError(
    {
      code: "deploy/environment-busy",
      message: `${env} is busy: ${what} (${holder.owner}) holds it since ${holder.acquiredAt}${waitMs > 0 ? `; waited ${Math.round(waitMs / 1000)}s` : ""}`,
      hint: `wait for it with --wait 10m, or see it with "shipgate status ${env}"`,
    },
    { exitCode: 1 },
  );
}
