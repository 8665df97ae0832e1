import type { KubernetesTrafficConfig } from "../../../config/schema.js";
import { inputError, ShipgateError } from "../../../errors.js";
import type { MetricProvider } from "../../analysis/types.js";
import { StepFailure } from "../../failure.js";
import type { EnvironmentState, ReleaseSpec, ReleaseState, Target, TargetCapabilities } from "../types.js";
import { type AccessCheck, connectKube, type KubeApi, withConflictRetry } from "./api.js";
import { noMetricProvider } from "./metrics.js";
import {
  ARTIFACT_ANNOTATION,
  PREVIOUS_ANNOTATION,
  RELEASE_ANNOTATION,
  RETIRE_AT_ANNOTATION,
  sideName,
  type Track,
  UNMANAGED_RELEASE,
} from "./names.js";
import { routerFor, type Shares, type TrafficRouter } from "./traffic/index.js";
import {
  artifactOf,
  type DeploymentObject,
  imageOf,
  type PodObject,
  type PreviousRelease,
  podInstance,
  previousOf,
  releaseOf,
  rolloutOf,
  type ServiceObject,
  sideDeployment,
  sideService,
  templateFor,
} from "./workloads.js";

export { noMetricProvider } from "./metrics.js";

export interface KubernetesTargetOptions {
  env: string;
  namespace: string;
  deployment: string;
  container: string;
  /** The stable Service; default the Deployment's name. */
  service?: string;
  traffic: KubernetesTrafficConfig;
  context?: string;
  /** URL template for a side Service, with {service}, {namespace}, {port}. */
  serviceUrl?: string;
  /** Where the environment serves (environments.<env>.url), for status. */
  url?: string;
  /** How the environment's strategy uses the cluster: rolling changes the stable Deployment in place. */
  strategy: "rolling" | "blue-green" | "canary";
  /** How long a rollout may take before the step fails (verify.timeoutSeconds). */
  rolloutTimeoutMs: number;
  /** The canary analysis's measurements; default none, which holds every analysis step. */
  metrics?: MetricProvider;
  kubeconfigPath?: string;
  /** How long transient API failures are retried. Default 30 s. */
  retryBudgetMs?: number;
  /** How often a rollout is polled. Default 500 ms. */
  pollMs?: number;
}

export const KUBERNETES_CAPABILITIES: TargetCapabilities = {
  trafficSplit: true,
  directAddress: true,
  artifact: "image",
};

const TRACKS: readonly Track[] = ["canary", "preview"];
const DEFAULT_SERVICE_URL = "http://{service}.{namespace}.svc.cluster.local:{port}";

/** Everything shipgate reads before it decides, read afresh by every call. */
interface Snapshot {
  primary: DeploymentObject;
  side?: DeploymentObject;
  shares: Shares;
}

/**
 * Releases on a Kubernetes Deployment, through the official client. The stable Deployment
 * (`target.deployment`) stays the user's: its Services, autoscaler and budgets keep pointing at
 * it, and every release that goes live ends up running in it. A canary or blue-green release
 * first runs beside it in `<deployment>-canary` / `<deployment>-preview` (a Deployment and a
 * Service that shipgate owns), takes its share through the router, and is then promoted onto
 * the stable Deployment, which rolls, before traffic returns to it and the side objects go.
 * Rolling changes the stable Deployment's pod template in place and follows its rollout.
 *
 * What makes it crash-safe: every decision is made from what the cluster says now (the
 * release ids are annotations on the objects), every write carries a resourceVersion, and the
 * stable Deployment keeps the template it ran before shipgate changed it (`shipgate.dev/previous`)
 * so an interrupted change is undone by restoring exactly that. Traffic always leaves a side
 * Service before the Service is deleted.
 */
export function createKubernetesTarget(options: KubernetesTargetOptions): Target {
  const { deployment, container } = options;
  const stableService = options.service ?? deployment;
  const router: TrafficRouter = routerFor(options.traffic);
  const track: Track = options.strategy === "blue-green" ? "preview" : "canary";
  const sideNames = TRACKS.map((t) => sideName(deployment, t));
  const pollMs = options.pollMs ?? 500;
  let connecting: Promise<KubeApi> | undefined;
  let validated = false;

  const api = (): Promise<KubeApi> => {
    connecting ??= connectKube({
      namespace: options.namespace,
      ...(options.context && { context: options.context }),
      ...(options.kubeconfigPath && { kubeconfigPath: options.kubeconfigPath }),
      ...(options.retryBudgetMs !== undefined && { retryBudgetMs: options.retryBudgetMs }),
    }).catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  async function readPrimary(kube: KubeApi): Promise<DeploymentObject> {
    const primary = await kube.read<DeploymentObject>("apps/v1", "Deployment", deployment);
    if (!primary) {
      throw inputError(
        "kubernetes/no-deployment",
        `Deployment ${deployment} does not exist in namespace ${options.namespace}${options.context ? ` (context ${options.context})` : ""}`,
        {
          hint: "shipgate deploys to an existing Deployment: apply it first, or correct target.deployment / target.namespace",
        },
      );
    }
    return primary;
  }

  async function readSide(kube: KubeApi): Promise<DeploymentObject | undefined> {
    // The strategy's own track first; the other one only when a changed configuration left it.
    for (const name of [
      sideName(deployment, track),
      ...sideNames.filter((n) => n !== sideName(deployment, track)),
    ]) {
      const side = await kube.read<DeploymentObject>("apps/v1", "Deployment", name);
      if (side && side.metadata.labels?.["app.kubernetes.io/managed-by"] === "shipgate") return side;
    }
    return undefined;
  }

  const routerContext = (kube: KubeApi, primary: DeploymentObject, side?: DeploymentObject) => ({
    api: kube,
    primary,
    stableService,
    sideServices: sideNames,
    ...(side && { side: { deployment: side, service: side.metadata.name } }),
  });

  async function snapshot(kube: KubeApi): Promise<Snapshot> {
    const primary = await readPrimary(kube);
    const side = await readSide(kube);
    const shares = await router.read(routerContext(kube, primary, side));
    return { primary, ...(side && { side }), shares };
  }

  async function writeShares(kube: KubeApi, snap: Snapshot, shares: Shares) {
    await router.write(routerContext(kube, snap.primary, snap.side), shares);
  }

  async function validate(kube: KubeApi) {
    if (validated) return;
    const primary = await readPrimary(kube);
    const containers = primary.spec.template.spec.containers.map((c) => c.name);
    if (!containers.includes(container)) {
      throw inputError(
        "kubernetes/no-container",
        `Deployment ${deployment} has no container "${container}" in its pod template (it has ${containers.join(", ")})`,
        { hint: "set target.container to the container that runs the app's image" },
      );
    }
    for (const name of sideNames) {
      if (name.length > 63) {
        throw inputError(
          "kubernetes/name-too-long",
          `${name} would be longer than the 63 characters a Service name may have`,
          { hint: "shorten the Deployment's name" },
        );
      }
    }
    if (options.strategy === "blue-green" && router.type === "replicas") {
      throw inputError(
        "kubernetes/blue-green-needs-router",
        "blue-green needs a traffic router to switch at once: with traffic type replicas the preview pods would take traffic as soon as they are ready",
        { hint: "set target.traffic to gateway-api or istio, or use the canary or rolling strategy" },
      );
    }
    await router.validate({ api: kube, primary, stableService, sideServices: sideNames });
    const missing = await kube.cannot(requiredAccess(options.traffic, options.strategy));
    if (missing.length > 0) {
      throw new ShipgateError(
        {
          code: "kubernetes/forbidden",
          message: `the kubeconfig's account may not ${missing.map(describeAccess).join(", ")} in namespace ${options.namespace}`,
          hint: "grant them in a Role bound to shipgate's account; docs/targets/kubernetes.md has a minimal one",
        },
        { exitCode: 2 },
      );
    }
    validated = true;
  }

  /** Waits for the stable (or side) Deployment's rollout; fails on its progress deadline. */
  async function waitRollout(kube: KubeApi, name: string): Promise<void> {
    const deadline = Date.now() + options.rolloutTimeoutMs;
    for (;;) {
      const current = await kube.read<DeploymentObject>("apps/v1", "Deployment", name);
      if (!current) throw new StepFailure(`Deployment ${name} disappeared during its rollout`);
      const rollout = rolloutOf(current);
      if (rollout.done) return;
      if (rollout.failure)
        throw new StepFailure(rollout.failure, { healthy: rollout.healthy, desired: rollout.desired });
      if (Date.now() >= deadline) {
        throw new StepFailure(
          `the rollout of Deployment ${name} did not finish in ${Math.round(options.rolloutTimeoutMs / 1000)}s (${rollout.healthy} of ${rollout.desired} ready)`,
          { healthy: rollout.healthy, desired: rollout.desired },
        );
      }
      await sleep(pollMs);
    }
  }

  /** Puts `release` (with `image`) into the stable Deployment's template, remembering what ran before. */
  async function rollPrimary(kube: KubeApi, release: string, artifact: string, image: string) {
    await withConflictRetry(async () => {
      const primary = await readPrimary(kube);
      if (releaseOf(primary) === release) return;
      const previous: PreviousRelease = {
        release: releaseOf(primary),
        artifact: artifactOf(primary, container),
        template: primary.spec.template,
      };
      primary.spec.template = templateFor(primary.spec.template, { container, image, release });
      const annotations = { ...primary.metadata.annotations };
      annotations[RELEASE_ANNOTATION] = release;
      annotations[ARTIFACT_ANNOTATION] = artifact;
      annotations[PREVIOUS_ANNOTATION] = JSON.stringify(previous);
      delete annotations[RETIRE_AT_ANNOTATION];
      primary.metadata.annotations = annotations;
      await kube.replace(primary);
    });
  }

  /** Back to the template the stable Deployment ran before shipgate's last change. */
  async function restorePrimary(kube: KubeApi, release: string) {
    await withConflictRetry(async () => {
      const primary = await readPrimary(kube);
      if (releaseOf(primary) === release) return;
      const previous = previousOf(primary);
      if (previous?.release !== release) {
        throw new StepFailure(
          `release ${release} no longer runs in Deployment ${deployment} and cannot be restored`,
        );
      }
      primary.spec.template = previous.template;
      const annotations = { ...primary.metadata.annotations };
      if (release === UNMANAGED_RELEASE) {
        delete annotations[RELEASE_ANNOTATION];
        delete annotations[ARTIFACT_ANNOTATION];
      } else {
        annotations[RELEASE_ANNOTATION] = release;
        annotations[ARTIFACT_ANNOTATION] = previous.artifact;
      }
      delete annotations[PREVIOUS_ANNOTATION];
      delete annotations[RETIRE_AT_ANNOTATION];
      primary.metadata.annotations = annotations;
      await kube.replace(primary);
    });
  }

  /** Traffic off the side first, then its Service and Deployment. */
  async function removeSide(kube: KubeApi) {
    const snap = await snapshot(kube);
    if (!snap.side) return;
    if (snap.shares.side > 0 || router.type !== "replicas")
      await writeShares(kube, snap, { primary: 100, side: 0 });
    const name = snap.side.metadata.name;
    await kube.remove("v1", "Service", name);
    await kube.remove("apps/v1", "Deployment", name);
    // Gone before the call returns, so a new side of the same name never meets the old one.
    const deadline = Date.now() + options.rolloutTimeoutMs;
    while ((await kube.read("apps/v1", "Deployment", name)) && Date.now() < deadline) await sleep(pollMs);
  }

  /**
   * The side's release becomes the stable Deployment's: it rolls to the side's image, and once
   * that rollout is done, all traffic returns to it and the side goes. Canary promotion and the
   * end of a blue-green switch are both this.
   */
  async function convergeOntoPrimary(kube: KubeApi, side: DeploymentObject) {
    const release = releaseOf(side);
    const image = imageOf(side, container);
    if (!image) throw new StepFailure(`Deployment ${side.metadata.name} has no container ${container}`);
    await rollPrimary(kube, release, artifactOf(side, container), image);
    await waitRollout(kube, deployment);
    const snap = await snapshot(kube);
    await writeShares(kube, snap, { primary: 100, side: 0 });
    await removeSide(kube);
  }

  async function retireIfDue(kube: KubeApi) {
    const snap = await snapshot(kube);
    const at = snap.primary.metadata.annotations?.[RETIRE_AT_ANNOTATION];
    if (!at || !snap.side || Date.parse(at) > Date.now()) return;
    if (snap.shares.side >= 100) await convergeOntoPrimary(kube, snap.side);
  }

  async function pods(kube: KubeApi, selector: string) {
    return (await kube.list<PodObject>("v1", "Pod", selector)).map(podInstance);
  }

  function releaseState(
    object: DeploymentObject,
    weight: number,
    instances: ReleaseState["instances"],
  ): ReleaseState {
    const rollout = rolloutOf(object);
    const retireAt = object.metadata.annotations?.[RETIRE_AT_ANNOTATION];
    return {
      id: releaseOf(object),
      artifactId: artifactOf(object, container),
      desired: rollout.desired,
      healthy: rollout.healthy,
      weight,
      instances,
      ...(retireAt && { retireAt }),
      ...(rollout.failure && { failure: rollout.failure }),
    };
  }

  function selectorOf(object: DeploymentObject, extra: string[] = []): string {
    return [
      ...Object.entries(object.spec.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
      ...extra,
    ].join(",");
  }

  const target: Target = {
    type: "kubernetes",
    capabilities: KUBERNETES_CAPABILITIES,
    metrics: options.metrics ?? noMetricProvider(options.env),

    async prepare() {
      const kube = await api();
      await validate(kube);
      await retireIfDue(kube);
    },

    async state(): Promise<EnvironmentState> {
      const kube = await api();
      const snap = await snapshot(kube);
      const primary = releaseState(
        snap.primary,
        snap.shares.primary,
        await pods(kube, selectorOf(snap.primary, ["!shipgate.dev/track"])),
      );
      const releases = [primary];
      if (snap.side) {
        const side = releaseState(snap.side, snap.shares.side, await pods(kube, selectorOf(snap.side)));
        // Mid-promotion both run the same release: one release, all its traffic.
        if (side.id === primary.id) primary.weight += side.weight;
        else releases.push(side);
      }
      return {
        env: options.env,
        url: options.url ?? `kubernetes://${options.namespace}/${deployment}`,
        releases,
      };
    },

    async startRelease(spec: ReleaseSpec) {
      const kube = await api();
      const snap = await snapshot(kube);
      if (releaseOf(snap.primary) === spec.id || (snap.side && releaseOf(snap.side) === spec.id)) return;
      if (options.strategy === "rolling") {
        await rollPrimary(kube, spec.id, spec.artifactId, spec.source);
        return;
      }
      if (snap.side) {
        const other = releaseOf(snap.side);
        if (snap.shares.side >= 100 && snap.primary.metadata.annotations?.[RETIRE_AT_ANNOTATION]) {
          // A blue-green release still kept beside its predecessor: a new deployment ends the wait.
          await convergeOntoPrimary(kube, snap.side);
        } else if (snap.shares.side > 0) {
          throw new StepFailure(
            `Deployment ${snap.side.metadata.name} runs release ${other} with ${snap.shares.side}% of the traffic: finish or roll back that deployment first ("shipgate rollback ${options.env}")`,
          );
        } else {
          await removeSide(kube);
        }
      }
      const fresh = await readPrimary(kube);
      const name = sideName(deployment, track);
      const stable = await kube.read<ServiceObject>("v1", "Service", stableService);
      const replicas = router.type === "replicas" ? 1 : (fresh.spec.replicas ?? 1);
      const created =
        (await kube.create(
          sideDeployment({
            primary: fresh,
            track,
            name,
            container,
            image: spec.source,
            release: spec.id,
            artifact: spec.artifactId,
            replicas,
            ...(router.type !== "replicas" &&
              stable?.spec.selector && { avoidSelector: stable.spec.selector }),
          }),
        )) ?? (await kube.read<DeploymentObject>("apps/v1", "Deployment", name));
      if (!created || releaseOf(created) !== spec.id) {
        throw new StepFailure(
          `Deployment ${name} exists and runs another release: another process is deploying`,
        );
      }
      const service = sideService({
        name,
        track,
        deployment: created,
        ...(stable && { stableService: stable }),
        container,
        release: spec.id,
      });
      if (service) await kube.create(service);
    },

    async scaleRelease(id) {
      const kube = await api();
      const snap = await snapshot(kube);
      // The stable Deployment's size belongs to its owner (or autoscaler), never to shipgate.
      if (releaseOf(snap.primary) === id) return;
      if (snap.side && releaseOf(snap.side) === id) {
        const full = snap.primary.spec.replicas ?? 1;
        if (router.type !== "replicas" && snap.side.spec.replicas !== full) {
          await withConflictRetry(async () => {
            const side = await kube.read<DeploymentObject>("apps/v1", "Deployment", snap.side!.metadata.name);
            if (!side || side.spec.replicas === full) return;
            side.spec.replicas = full;
            await kube.replace(side);
          });
        }
        return;
      }
      await restorePrimary(kube, id);
    },

    async setWeights(weights) {
      const kube = await api();
      const snap = await snapshot(kube);
      const primaryId = releaseOf(snap.primary);
      const sideId = snap.side ? releaseOf(snap.side) : undefined;
      for (const [id, weight] of Object.entries(weights)) {
        if (weight > 0 && id !== primaryId && id !== sideId) {
          throw new StepFailure(
            `release ${id} does not run in ${options.namespace}/${deployment}: no traffic can go to it`,
          );
        }
      }
      const sideShare = sideId && sideId !== primaryId ? (weights[sideId] ?? 0) : 0;
      if (snap.side && sideShare >= 100) {
        // Canary: promotion onto the stable Deployment. Blue-green: the one switch.
        if (track === "canary") await convergeOntoPrimary(kube, snap.side);
        else await writeShares(kube, snap, { primary: 0, side: 100 });
        return;
      }
      if (snap.side && sideId === primaryId && (weights[primaryId] ?? 0) >= 100) {
        // Both run one release: a move onto the stable Deployment was interrupted (a process
        // killed while it ended a blue-green wait, say). All its traffic goes to the stable
        // Deployment once its rollout is done, and the side copy goes, rather than idling
        // beside it at 0% with a full set of pods until the next deploy.
        await convergeOntoPrimary(kube, snap.side);
      } else {
        await writeShares(kube, snap, { primary: 100 - sideShare, side: sideShare });
      }
      if (sideShare === 0 && snap.primary.metadata.annotations?.[RETIRE_AT_ANNOTATION]) {
        // Traffic is back on the stable set: it is no longer waiting to be retired.
        await withConflictRetry(async () => {
          const primary = await readPrimary(kube);
          const annotations = { ...primary.metadata.annotations };
          if (!annotations[RETIRE_AT_ANNOTATION]) return;
          delete annotations[RETIRE_AT_ANNOTATION];
          primary.metadata.annotations = annotations;
          await kube.replace(primary);
        });
      }
    },

    async directUrl(id) {
      const kube = await api();
      const snap = await snapshot(kube);
      const name =
        snap.side && releaseOf(snap.side) === id
          ? snap.side.metadata.name
          : releaseOf(snap.primary) === id
            ? stableService
            : undefined;
      if (!name) return undefined;
      const service = await kube.read<ServiceObject>("v1", "Service", name);
      const port = service?.spec.ports?.[0]?.port;
      if (!port) return undefined;
      return (options.serviceUrl ?? DEFAULT_SERVICE_URL)
        .replaceAll("{service}", name)
        .replaceAll("{namespace}", options.namespace)
        .replaceAll("{port}", String(port));
    },

    async stopRelease(id, stopOptions) {
      const kube = await api();
      const snap = await snapshot(kube);
      const primaryId = releaseOf(snap.primary);
      const sideId = snap.side ? releaseOf(snap.side) : undefined;
      if (snap.side && sideId === id && primaryId !== id) {
        await removeSide(kube);
        return;
      }
      if (primaryId === id) {
        // The stable Deployment is never deleted. After a blue-green switch it is the old set:
        // kept for keepPrevious, then the live release is moved onto it.
        if (!snap.side || snap.shares.side < 100) return;
        const afterMs = stopOptions?.afterMs ?? 0;
        if (afterMs > 0) {
          await withConflictRetry(async () => {
            const primary = await readPrimary(kube);
            if (primary.metadata.annotations?.[RETIRE_AT_ANNOTATION]) return;
            primary.metadata.annotations = {
              ...primary.metadata.annotations,
              [RETIRE_AT_ANNOTATION]: new Date(Date.now() + afterMs).toISOString(),
            };
            await kube.replace(primary);
          });
          return;
        }
        await convergeOntoPrimary(kube, snap.side);
        return;
      }
      // A retirement that was interrupted after the stable Deployment took the new release.
      if (snap.side && sideId === primaryId && previousOf(snap.primary)?.release === id) {
        await convergeOntoPrimary(kube, snap.side);
      }
    },
  };
  return target;
}

/** The verbs the target uses, by strategy and router: what the minimal Role grants. */
export function requiredAccess(
  traffic: KubernetesTrafficConfig,
  strategy: KubernetesTargetOptions["strategy"],
): AccessCheck[] {
  const checks: AccessCheck[] = [
    { verb: "get", group: "apps", resource: "deployments" },
    { verb: "update", group: "apps", resource: "deployments" },
    { verb: "list", group: "", resource: "pods" },
    { verb: "get", group: "", resource: "services" },
  ];
  if (strategy !== "rolling") {
    checks.push(
      { verb: "create", group: "apps", resource: "deployments" },
      { verb: "delete", group: "apps", resource: "deployments" },
      { verb: "create", group: "", resource: "services" },
      { verb: "delete", group: "", resource: "services" },
    );
  }
  if (traffic.type === "gateway-api") {
    checks.push(
      { verb: "get", group: "gateway.networking.k8s.io", resource: "httproutes" },
      { verb: "update", group: "gateway.networking.k8s.io", resource: "httproutes" },
    );
  }
  if (traffic.type === "istio") {
    checks.push(
      { verb: "get", group: "networking.istio.io", resource: "virtualservices" },
      { verb: "update", group: "networking.istio.io", resource: "virtualservices" },
    );
  }
  return checks;
}

function describeAccess(check: AccessCheck): string {
  return `${check.verb} ${check.resource}${check.group ? `.${check.group}` : ""}`;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
