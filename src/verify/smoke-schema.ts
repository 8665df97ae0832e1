import { z } from "zod";
import { parseJsonPath } from "./jsonpath.js";

/**
 * The smoke file format. Strict objects, so a misspelt key (`expct`, `bodycontains`) is an
 * error rather than a check that silently asserts nothing.
 */

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;

const STATUS = "expected an HTTP status code such as 200, or a list such as [200, 201]";

const Status = z.int({ error: STATUS }).min(100, { error: STATUS }).max(599, { error: STATUS });

/** A single value is shorthand for a list of one; errors then point at the offending element. */
function oneOrMany<T extends z.ZodType>(item: T, message: string) {
  return z.preprocess(
    (value) => (Array.isArray(value) ? value : [value]),
    z.array(item).min(1, { error: message }),
  );
}

const JsonPathKey = z.string().superRefine((key, ctx) => {
  const parsed = parseJsonPath(key);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: `invalid JSONPath "${key}": ${parsed.error}` });
});

const stringValue = (what: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined ? `${what} is required` : `${what} must be a string; quote the value in YAML`,
  });

export const SmokeExpectSchema = z.strictObject({
  status: oneOrMany(Status, STATUS).optional(),
  bodyContains: oneOrMany(stringValue("bodyContains"), "bodyContains needs at least one text").optional(),
  json: z
    .record(JsonPathKey, z.unknown(), { error: "json must map JSONPath expressions to values" })
    .optional(),
  header: z
    .record(z.string(), stringValue("an expected header value"), {
      error: "header must map header names to expected values",
    })
    .optional(),
});

export const SmokeCheckSchema = z.strictObject({
  name: stringValue("name").min(1, { error: "name must not be empty" }).optional(),
  path: stringValue("path").startsWith("/", { error: 'path must start with "/", such as /api/orders' }),
  method: z
    .string({ error: `method must be one of ${HTTP_METHODS.join(", ")}` })
    .transform((method) => method.toUpperCase())
    .pipe(z.enum(HTTP_METHODS, { error: `method must be one of ${HTTP_METHODS.join(", ")}` }))
    .default("GET"),
  headers: z
    .record(z.string(), stringValue("a header value"), { error: "headers must map header names to values" })
    .default({}),
  body: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())], {
      error: "body must be a string, or a mapping or list that is sent as JSON",
    })
    .optional(),
  expect: SmokeExpectSchema.default({}),
  maxLatencyMs: z
    .int({ error: "maxLatencyMs must be a whole number of milliseconds" })
    .positive({ error: "maxLatencyMs must be greater than 0" })
    .optional(),
  retries: z
    .int({ error: "retries must be a whole number" })
    .min(0, { error: "retries must be 0 or more" })
    .max(10, { error: "retries must be 10 or fewer; a smoke check that needs more is flaky" })
    .default(0),
});

export const SmokeChecksSchema = z.array(SmokeCheckSchema).min(1, { error: "the smoke file has no checks" });

export const SmokeFileObjectSchema = z.strictObject({ checks: SmokeChecksSchema });

/** Allowed keys per level, for did-you-mean hints on unknown keys. */
export const CHECK_KEYS = Object.keys(SmokeCheckSchema.shape);
export const EXPECT_KEYS = Object.keys(SmokeExpectSchema.shape);
export const ROOT_KEYS = Object.keys(SmokeFileObjectSchema.shape);
