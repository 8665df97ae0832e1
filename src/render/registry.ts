import { githubRenderer } from "./github/index.js";
import type { Renderer } from "./types.js";

/** Every renderer, by platform id (sorted). Adding a platform never touches the generator. */
export const RENDERERS = {
  github: githubRenderer,
} as const satisfies Record<string, Renderer>;

export type PlatformId = keyof typeof RENDERERS;

export function isPlatformId(id: string): id is PlatformId {
  return Object.hasOwn(RENDERERS, id);
}
