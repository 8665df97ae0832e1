import { ReleaseTraffic } from "./release-traffic.js";
import { UpstreamPool } from "./upstream-pool.js";

/** One running instance as the router sees it. */
export class Upstream {
  /** Keep-alive connections to this instance only, so draining can close exactly these. */
  readonly pool: UpstreamPool;
  /** Exchanges the router has open with this instance. */
  inFlight = 0;
  routable = false;
  /** Called when `inFlight` falls to 0 (draining waits on it). */
  onIdle: (() => void) | undefined;

  constructor(
    readonly instanceId: string,
    readonly release: ReleaseRoute,
    readonly port: number,
  ) {
    this.pool = new UpstreamPool(port);
  }
}

/** A release's routing state: its weight, smooth-weighted-round-robin credit and instances. */
export class ReleaseRoute {
  weight = 0;
  /** Smooth weighted round robin's running credit. */
  credit = 0;
  readonly upstreams: Upstream[] = [];
  /** The routable subset, rebuilt on every health change so that picking only reads it. */
  routable: Upstream[] = [];
  private next = 0;

  constructor(
    readonly id: string,
    readonly traffic: ReleaseTraffic,
  ) {}

  refresh(): void {
    this.routable = this.upstreams.filter((u) => u.routable);
  }

  /** Whether this release can take a request that must avoid `exclude`. */
  canServe(exclude: Upstream | undefined): boolean {
    const n = this.routable.length;
    return n > 1 || (n === 1 && this.routable[0] !== exclude);
  }

  /** Round robin among routable instances, skipping `exclude` when another one exists. */
  take(exclude: Upstream | undefined): Upstream | undefined {
    const list = this.routable;
    const n = list.length;
    if (n === 0) return undefined;
    let chosen = list[this.next++ % n]!;
    if (chosen === exclude && n > 1) chosen = list[this.next++ % n]!;
    if (this.next > 1e9) this.next = 0;
    return chosen;
  }
}

/**
 * Which instance serves the next request.
 *
 * Releases are chosen by smooth weighted round robin (the algorithm nginx uses) rather than
 * weighted random: a 90/10 split is exact within every 10 requests instead of only on
 * average, so a canary analysed on a few hundred requests sees its true share, and picking
 * needs no random numbers. Releases whose instances are all unhealthy are left out of the
 * round, which is the fall-over to the other weighted releases; when none of those can serve,
 * any routable instance of a zero-weight release takes the request.
 */
export class RouteTable {
  readonly releases: ReleaseRoute[] = [];
  private readonly traffic = new Map<string, ReleaseTraffic>();
  private fallbackNext = 0;

  release(id: string): ReleaseRoute {
    const existing = this.releases.find((r) => r.id === id);
    if (existing) return existing;
    const route = new ReleaseRoute(id, this.trafficOf(id));
    this.releases.push(route);
    return route;
  }

  removeRelease(id: string): void {
    const index = this.releases.findIndex((r) => r.id === id);
    if (index >= 0) this.releases.splice(index, 1);
  }

  /** Counts outlive the release: the analysis may read them after it was retired. */
  trafficOf(id: string): ReleaseTraffic {
    let traffic = this.traffic.get(id);
    if (!traffic) {
      traffic = new ReleaseTraffic();
      this.traffic.set(id, traffic);
    }
    return traffic;
  }

  knownTraffic(id: string): ReleaseTraffic | undefined {
    return this.traffic.get(id);
  }

  /** Releases not named get 0; credits restart so the new split applies at once. */
  setWeights(weights: Readonly<Record<string, number>>): void {
    for (const route of this.releases) {
      route.weight = weights[route.id] ?? 0;
      route.credit = 0;
    }
  }

  pick(exclude?: Upstream): Upstream | undefined {
    const releases = this.releases;
    let total = 0;
    let best: ReleaseRoute | undefined;
    for (let i = 0; i < releases.length; i++) {
      const route = releases[i]!;
      if (route.weight <= 0 || !route.canServe(exclude)) continue;
      route.credit += route.weight;
      total += route.weight;
      if (best === undefined || route.credit > best.credit) best = route;
    }
    if (best !== undefined) {
      best.credit -= total;
      return best.take(exclude);
    }
    return this.pickAny(exclude);
  }

  private pickAny(exclude: Upstream | undefined): Upstream | undefined {
    const releases = this.releases;
    const n = releases.length;
    for (let i = 0; i < n; i++) {
      const route = releases[(this.fallbackNext + i) % n]!;
      if (route.canServe(exclude)) {
        this.fallbackNext = (this.fallbackNext + i + 1) % n;
        return route.take(exclude);
      }
    }
    // Only the excluded instance is left: a retry on it beats an error (its old socket may
    // have been the only thing wrong).
    return exclude?.routable ? exclude : undefined;
  }
}
