import type { PipelineModel } from "../pipeline/model.js";

/** One generated file, before the header that marks it as generated. */
export interface RenderedFile {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  body: string;
}

/** Turns the platform-neutral pipeline into one platform's files. */
export interface Renderer {
  id: string;
  displayName: string;
  render(model: PipelineModel): RenderedFile[];
}
