import { statSync } from "node:fs";
import { join } from "node:path";
import { inputError } from "../../../errors.js";
import type { EnvironmentState, ReleaseSpec, ReleaseState } from "../types.js";
import type { AgentLog } from "./agent-log.js";
import type { InstanceRecord, ReleaseRecord } from "./agent-state.js";
import { type AdoptableInstance, Instance, type SupervisionSettings } from "./instance.js";
import { type AgentPaths, instanceLogFile } from "./paths.js";
import type { Router } from "./router.js";

/** One release of an environment: its spec and its instances, changed one operation at a time. */
class ManagedRelease {
  readonly instances: Instance[] = [];
  desired = 0;
  retireAt: string | undefined;
  retireTimer: NodeJS.Timeout | undefined;
  stopped: Promise<void> | undefined;
  private nextIndex = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly spec: ReleaseSpec) {}

  /** Operations on one release never interleave (two scales, or a scale and a stop). */
  serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  takeIndex(): number {
    return this.nextIndex++;
  }

  /** After adopting instances numbered up to `index`, new ones are numbered past it. */
  skipPast(index: number): void {
    this.nextIndex = Math.max(this.nextIndex, index + 1);
  }
}

export interface EnvironmentSupervisorOptions {
  env: string;
  router: Router;
  paths: AgentPaths;
  settings: SupervisionSettings;
  log: AgentLog;
  /** Called whenever what the agent would need to adopt this environment again changes. */
  changed: () => void;
}

/** The releases of one environment and the instances that run them. */
export class EnvironmentSupervisor {
  private readonly releases = new Map<string, ManagedRelease>();

  constructor(private readonly options: EnvironmentSupervisorOptions) {}

  get env(): string {
    return this.options.env;
  }

  /** Starts the release's instances with no traffic; a release already running is left alone. */
  async startRelease(spec: ReleaseSpec): Promise<void> {
    const existing = this.releases.get(spec.id);
    if (existing && !existing.stopped) {
      // Asked for again (a rollback to it): it is wanted, so a scheduled stop is called off.
      this.cancelRetirement(existing);
      return;
    }
    if (existing?.stopped) await existing.stopped;
    if (this.releases.has(spec.id)) return;
    const cwd = join(spec.source, spec.workdir);
    if (!isDirectory(cwd)) {
      throw inputError("local/missing-source", `release ${spec.id}: directory ${cwd} does not exist`, {
        hint: "unpack the artifact first; source and workdir must name a directory",
      });
    }
    const release = new ManagedRelease(spec);
    this.releases.set(spec.id, release);
    this.options.router.table.release(spec.id);
    this.options.log("info", "release started", {
      env: this.env,
      release: spec.id,
      instances: spec.instances,
    });
    await this.scaleRelease(spec.id, spec.instances);
  }

  /**
   * Takes a release over from the state a previous agent left: the instances still running
   * are adopted, missing ones are started, and a scheduled stop is kept.
   */
  async restoreRelease(record: ReleaseRecord, alive: (i: InstanceRecord) => boolean): Promise<void> {
    const release = new ManagedRelease(record.spec);
    this.releases.set(record.spec.id, release);
    this.options.router.table.release(record.spec.id);
    release.desired = record.desired;
    for (const recorded of record.instances) {
      release.skipPast(recorded.index);
      if (!alive(recorded) || release.instances.length >= record.desired) continue;
      const instance = this.createInstance(release, recorded.index);
      release.instances.push(instance);
      instance.adopt(recorded satisfies AdoptableInstance);
    }
    this.options.log("info", "release adopted", {
      env: this.env,
      release: record.spec.id,
      adopted: release.instances.length,
      desired: record.desired,
    });
    if (record.retireAt !== undefined) {
      void this.stopRelease(record.spec.id, Math.max(1, Date.parse(record.retireAt) - Date.now()));
    }
    await this.scaleRelease(record.spec.id, record.desired);
  }

  /** What a later agent needs to take this environment's releases over. */
  records(): ReleaseRecord[] {
    return [...this.releases.values()]
      .filter((release) => !release.stopped)
      .map((release) => ({
        spec: release.spec,
        desired: release.desired,
        weight: this.options.router.table.release(release.spec.id).weight,
        ...(release.retireAt !== undefined && { retireAt: release.retireAt }),
        instances: release.instances.flatMap((instance) => {
          const running = instance.adoptable();
          return running ? [{ id: instance.id, index: instance.launch.index, ...running }] : [];
        }),
      }));
  }

  scaleRelease(id: string, instances: number): Promise<void> {
    const release = this.running(id);
    return release.serial(async () => {
      release.desired = instances;
      while (release.instances.length < instances) {
        const instance = this.createInstance(release);
        release.instances.push(instance);
        await instance.run();
      }
      const surplus = release.instances.slice(instances);
      await Promise.all(surplus.map((i) => i.stop()));
      release.instances.splice(instances);
      this.options.changed();
    });
  }

  /** Validated here because only the supervisor knows the releases: all known, sum 100. */
  setWeights(weights: Readonly<Record<string, number>>): void {
    const unknown = Object.keys(weights).filter((id) => !this.releases.has(id));
    if (unknown.length > 0) {
      throw inputError(
        "local/unknown-release",
        `no release ${unknown.join(", ")} in environment ${this.env}`,
      );
    }
    const sum = Object.values(weights).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 100) > 1e-6) {
      throw inputError("local/invalid-weights", `weights must add up to 100, these add up to ${sum}`);
    }
    this.options.router.table.setWeights(weights);
    // A release that takes traffic again is no longer retiring.
    for (const [id, weight] of Object.entries(weights)) {
      if (weight > 0) this.cancelRetirement(this.releases.get(id)!);
    }
    this.options.log("info", "weights set", { env: this.env, weights });
    this.options.changed();
  }

  /** Now: drains and resolves when its processes are gone. Later: records retireAt and returns. */
  async stopRelease(id: string, afterMs?: number): Promise<void> {
    const release = this.releases.get(id);
    if (!release) return;
    if (release.stopped) return release.stopped;
    clearTimeout(release.retireTimer);
    if (afterMs !== undefined && afterMs > 0) {
      release.retireAt = new Date(Date.now() + afterMs).toISOString();
      release.retireTimer = setTimeout(() => void this.stopRelease(id).catch(() => undefined), afterMs);
      release.retireTimer.unref();
      this.options.changed();
      return;
    }
    release.stopped = release.serial(async () => {
      release.desired = 0;
      await Promise.all(release.instances.map((i) => i.stop()));
      release.instances.length = 0;
      this.options.router.table.removeRelease(id);
      this.releases.delete(id);
      this.options.changed();
      this.options.log("info", "release stopped", { env: this.env, release: id });
    });
    return release.stopped;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.releases.keys()].map((id) => this.stopRelease(id)));
  }

  killAllNow(): void {
    for (const release of this.releases.values()) for (const i of release.instances) i.killNow();
  }

  state(url: string): EnvironmentState {
    const releases: ReleaseState[] = [];
    for (const release of this.releases.values()) {
      const instances = release.instances.map((i) => i.snapshot());
      releases.push({
        id: release.spec.id,
        artifactId: release.spec.artifactId,
        desired: release.desired,
        healthy: instances.filter((i) => i.state === "healthy").length,
        weight: this.options.router.table.release(release.spec.id).weight,
        instances,
        ...(release.retireAt !== undefined && { retireAt: release.retireAt }),
      });
    }
    return { env: this.env, url, releases };
  }

  private cancelRetirement(release: ManagedRelease): void {
    if (release.retireAt === undefined) return;
    clearTimeout(release.retireTimer);
    release.retireTimer = undefined;
    release.retireAt = undefined;
    this.options.changed();
    this.options.log("info", "scheduled stop cancelled", { env: this.env, release: release.spec.id });
  }

  private running(id: string): ManagedRelease {
    const release = this.releases.get(id);
    if (!release || release.stopped) {
      throw inputError("local/unknown-release", `no release ${id} in ${this.env}`);
    }
    return release;
  }

  private createInstance(release: ManagedRelease, adoptedIndex?: number): Instance {
    const { spec } = release;
    const index = adoptedIndex ?? release.takeIndex();
    const id = `${spec.id}-${index}`;
    return new Instance(
      {
        releaseId: spec.id,
        id,
        index,
        start: spec.start,
        cwd: join(spec.source, spec.workdir),
        env: spec.env ?? {},
        healthPath: spec.healthPath,
        ...(spec.readyPath !== undefined && { readyPath: spec.readyPath }),
        logFile: instanceLogFile(this.options.paths, this.env, id),
      },
      this.options.router,
      this.options.settings,
      this.options.log,
      this.options.changed,
    );
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
