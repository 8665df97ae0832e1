import type { ProjectFiles } from "./files.js";

/**
 * The Dockerfile to build: the root one when there is one, since that is what `docker build .`
 * uses; then docker/Dockerfile; then the first root `Dockerfile.<variant>`, with a note because
 * picking among variants is a guess.
 */
export async function detectDockerfile(
  files: ProjectFiles,
): Promise<{ dockerfile: string | null; notes: string[] }> {
  const conventional = await files.first(["Dockerfile", "docker/Dockerfile"]);
  if (conventional) return { dockerfile: conventional, notes: [] };
  const variants = (await files.list(".")).filter((entry) => /^Dockerfile\.[\w.-]+$/.test(entry));
  const [first] = variants;
  if (!first) return { dockerfile: null, notes: [] };
  const notes =
    variants.length > 1
      ? [`Several Dockerfiles (${variants.join(", ")}); using ${first}. Set artifact.dockerfile to choose.`]
      : [];
  return { dockerfile: first, notes };
}
