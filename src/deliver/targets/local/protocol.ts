/**
 * The control API's wire format, shared by the server (which validates every body with these
 * schemas) and the client. Paths:
 *
 *   GET    /health
 *   PUT    /environments/:env                        { port, releaseHeader? }
 *   GET    /environments/:env
 *   POST   /environments/:env/releases               ReleaseSpec
 *   POST   /environments/:env/releases/:id/scale     { instances }
 *   POST   /environments/:env/releases/:id/stop      { afterMs? }
 *   PUT    /environments/:env/weights                { weights }
 *   GET    /environments/:env/metrics?release=a&release=b
 *   POST   /shutdown
 *
 * Errors are `{ error, code }` with a 4xx/5xx status.
 */
import { z } from "zod";

/** Environment and release ids become file names (instance logs), so they are kept plain. */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "use letters, digits, '.', '_' and '-' (at most 100)");

export const EnsureEnvironmentBody = z.object({
  port: z.number().int().min(1).max(65535),
  releaseHeader: z.boolean().optional(),
});

export const ReleaseSpecBody = z.object({
  id: IdSchema,
  artifactId: z.string().min(1),
  source: z.string().min(1),
  start: z.string().min(1),
  workdir: z.string(),
  instances: z.number().int().min(0).max(64),
  healthPath: z.string().startsWith("/"),
  readyPath: z.string().startsWith("/").optional(),
  env: z.record(z.string(), z.string()).optional(),
});

export const ScaleBody = z.object({ instances: z.number().int().min(0).max(64) });

export const StopReleaseBody = z.object({ afterMs: z.number().int().min(0).optional() });

export const WeightsBody = z.object({ weights: z.record(IdSchema, z.number().min(0).max(100)) });

export interface ControlErrorBody {
  error: string;
  code: string;
}

export interface HealthBody {
  ok: true;
  pid: number;
  startedAt: string;
  environments: string[];
}
