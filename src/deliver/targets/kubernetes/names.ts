/**
 * The labels and annotations shipgate writes on Kubernetes objects, and the names of the objects
 * it creates. Every object carries the id of the deployment that made it, so a run that died
 * can be told apart from one that is still going, and nothing shipgate did not make is deleted.
 */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "shipgate" } as const;
/** On side objects: the stable Deployment they belong to. */
export const DEPLOYMENT_LABEL = "shipgate.dev/deployment";
/** On side objects and their pods: `canary` or `preview`. */
export const TRACK_LABEL = "shipgate.dev/track";
/** On every pod template shipgate writes: the release (deployment id) the pods run. */
export const RELEASE_LABEL = "shipgate.dev/release";

/** The release (deployment id) a Deployment's pod template runs. */
export const RELEASE_ANNOTATION = "shipgate.dev/release";
/** The artifact (image reference) of that release, as the ledger knows it. */
export const ARTIFACT_ANNOTATION = "shipgate.dev/artifact";
/**
 * On the stable Deployment: the release, artifact and pod template it ran before shipgate last
 * changed it, so a failed or interrupted change is undone by restoring exactly that template.
 */
export const PREVIOUS_ANNOTATION = "shipgate.dev/previous";
/** On the stable Deployment after a blue-green switch: when the old set it runs may go. */
export const RETIRE_AT_ANNOTATION = "shipgate.dev/retire-at";

/** The release id of a stable Deployment shipgate has not deployed to yet. */
export const UNMANAGED_RELEASE = "unmanaged";

export type Track = "canary" | "preview";

export function sideName(deployment: string, track: Track): string {
  return `${deployment}-${track}`;
}

/** Where shipgate writes from: the field manager named in managedFields. */
export const FIELD_MANAGER = "shipgate";
