import type { InstanceState } from "../types.js";
import type { KubeObject } from "./api.js";
import {
  ARTIFACT_ANNOTATION,
  DEPLOYMENT_LABEL,
  MANAGED_BY,
  PREVIOUS_ANNOTATION,
  RELEASE_ANNOTATION,
  RELEASE_LABEL,
  TRACK_LABEL,
  type Track,
  UNMANAGED_RELEASE,
} from "./names.js";

/** The parts of apps/v1 Deployment, core/v1 Service and Pod that shipgate reads and writes. */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Array<{
      name: string;
      image?: string;
      ports?: Array<{ containerPort: number; name?: string; protocol?: string }>;
    }>;
    [key: string]: unknown;
  };
}

export interface DeploymentObject extends KubeObject {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template: PodTemplate;
    progressDeadlineSeconds?: number;
    minReadySeconds?: number;
    strategy?: unknown;
    revisionHistoryLimit?: number;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
}

export interface ServiceObject extends KubeObject {
  spec: {
    selector?: Record<string, string>;
    ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string }>;
    type?: string;
  };
}

export interface PodObject extends KubeObject {
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      name: string;
      restartCount?: number;
      state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string } };
    }>;
  };
}

/** What the stable Deployment ran before shipgate last changed it. */
export interface PreviousRelease {
  release: string;
  artifact: string;
  template: PodTemplate;
}

export function releaseOf(deployment: DeploymentObject): string {
  return deployment.metadata.annotations?.[RELEASE_ANNOTATION] ?? UNMANAGED_RELEASE;
}

export function imageOf(deployment: DeploymentObject, container: string): string | undefined {
  return deployment.spec.template.spec.containers.find((c) => c.name === container)?.image;
}

/** The artifact of a Deployment's release: as recorded, or its image when shipgate did not deploy it. */
export function artifactOf(deployment: DeploymentObject, container: string): string {
  return (
    deployment.metadata.annotations?.[ARTIFACT_ANNOTATION] ?? imageOf(deployment, container) ?? "unknown"
  );
}

export function previousOf(deployment: DeploymentObject): PreviousRelease | undefined {
  const text = deployment.metadata.annotations?.[PREVIOUS_ANNOTATION];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as PreviousRelease;
  } catch {
    return undefined;
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The template with `container` running `image` and its pods labelled with the release. */
export function templateFor(
  template: PodTemplate,
  options: { container: string; image: string; release: string },
): PodTemplate {
  const next = clone(template);
  for (const c of next.spec.containers) if (c.name === options.container) c.image = options.image;
  next.metadata = {
    ...next.metadata,
    labels: { ...next.metadata?.labels, [RELEASE_LABEL]: options.release },
  };
  return next;
}

/**
 * The Deployment's rollout as `kubectl rollout status` judges it: done when the controller has
 * seen the latest spec and every replica is updated and available with no old one left; failed
 * when its progress deadline passed (ProgressDeadlineExceeded), which only counts once the
 * controller has seen the latest spec.
 */
export function rolloutOf(deployment: DeploymentObject): {
  done: boolean;
  desired: number;
  healthy: number;
  failure?: string;
} {
  const desired = deployment.spec.replicas ?? 1;
  const status = deployment.status ?? {};
  const observed = (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 1);
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  const done = observed && updated >= desired && total <= updated && available >= updated;
  const progressing = status.conditions?.find((c) => c.type === "Progressing");
  const failure =
    observed && progressing?.reason === "ProgressDeadlineExceeded"
      ? `the rollout of Deployment ${deployment.metadata.name} passed its progress deadline (${deployment.spec.progressDeadlineSeconds ?? 600}s): ${progressing.message ?? "no progress"} (${available} of ${desired} available)`
      : undefined;
  return {
    done,
    desired,
    healthy: done ? desired : Math.min(updated, available, Math.max(desired - 1, 0)),
    ...(failure && { failure }),
  };
}

export function podInstance(pod: PodObject): InstanceState {
  const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const statuses = pod.status?.containerStatuses ?? [];
  const restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
  const waiting = statuses.map((s) => s.state?.waiting).find((w) => w?.reason);
  const state: InstanceState["state"] = pod.metadata.deletionTimestamp
    ? "draining"
    : ready
      ? "healthy"
      : pod.status?.phase === "Running"
        ? "unhealthy"
        : "starting";
  return {
    id: pod.metadata.name,
    state,
    restarts,
    ...(waiting && { lastError: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}` }),
  };
}

/**
 * A canary or preview Deployment: the stable one's pod template with the new image, selected
 * by shipgate's own labels. With a router, the labels the stable Service selects on get the
 * track appended, so the stable Service never sends the new pods traffic behind the router's
 * back; without one (`replicas`), they are kept, and the new pods join the stable Service.
 */
export function sideDeployment(options: {
  primary: DeploymentObject;
  track: Track;
  name: string;
  container: string;
  image: string;
  release: string;
  artifact: string;
  replicas: number;
  /** The stable Service's selector, to keep the new pods out of it; none to join it. */
  avoidSelector?: Record<string, string>;
}): DeploymentObject {
  const { primary, track } = options;
  const deployment = primary.metadata.name;
  const template = templateFor(primary.spec.template, options);
  const labels = { ...template.metadata?.labels };
  for (const [key, value] of Object.entries(options.avoidSelector ?? {})) {
    if (labels[key] === value) labels[key] = `${value.slice(0, 63 - track.length - 1)}-${track}`;
  }
  const own = { [DEPLOYMENT_LABEL]: deployment, [TRACK_LABEL]: track };
  template.metadata = { ...template.metadata, labels: { ...labels, ...own } };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: options.name,
      labels: { ...MANAGED_BY, ...own },
      annotations: { [RELEASE_ANNOTATION]: options.release, [ARTIFACT_ANNOTATION]: options.artifact },
      ...(primary.metadata.uid && {
        // Deleting the stable Deployment takes its canary along.
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: deployment, uid: primary.metadata.uid },
        ],
      }),
    },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: own },
      template,
      ...(primary.spec.progressDeadlineSeconds !== undefined && {
        progressDeadlineSeconds: primary.spec.progressDeadlineSeconds,
      }),
      ...(primary.spec.minReadySeconds !== undefined && { minReadySeconds: primary.spec.minReadySeconds }),
      revisionHistoryLimit: 1,
    },
  };
}

/** The canary's or preview's Service: the stable Service's ports (or the container's), its own pods. */
export function sideService(options: {
  name: string;
  track: Track;
  deployment: DeploymentObject;
  stableService?: ServiceObject;
  container: string;
  release: string;
}): ServiceObject | undefined {
  const container = options.deployment.spec.template.spec.containers.find(
    (c) => c.name === options.container,
  );
  const ports =
    options.stableService?.spec.ports?.map((p) => ({
      ...(p.name && { name: p.name }),
      port: p.port,
      ...(p.targetPort !== undefined && { targetPort: p.targetPort }),
      protocol: p.protocol ?? "TCP",
    })) ??
    container?.ports?.map((p) => ({
      ...(p.name && { name: p.name }),
      port: p.containerPort,
      targetPort: p.containerPort,
      protocol: p.protocol ?? "TCP",
    }));
  if (!ports || ports.length === 0) return undefined;
  const own = {
    [DEPLOYMENT_LABEL]: options.deployment.metadata.name.replace(/-(canary|preview)$/, ""),
    [TRACK_LABEL]: options.track,
  };
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: options.name,
      labels: { ...MANAGED_BY, ...own },
      annotations: { [RELEASE_ANNOTATION]: options.release },
      ...(options.deployment.metadata.uid && {
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: options.deployment.metadata.name,
            uid: options.deployment.metadata.uid,
          },
        ],
      }),
    },
    spec: { type: "ClusterIP", selector: own, ports },
  };
}
