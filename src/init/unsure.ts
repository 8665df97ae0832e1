import type { TargetType } from "../config/schema.js";
import type { DetectedField, Detection } from "../detect/types.js";

/** Where each detected value lands in shipgate.yml. */
const KEYS: Readonly<Record<DetectedField, string>> = {
  branch: "ci.branches",
  app: "app.path",
  name: "app.name",
  languageVersion: "app.languageVersion",
  install: "app.commands.install",
  lint: "app.commands.lint",
  typecheck: "app.commands.typecheck",
  test: "app.commands.test",
  build: "app.commands.build",
  start: "app.start",
  healthPath: "app.healthPath",
  readyPath: "app.readyPath",
  port: "app.port",
  services: "app.services",
  testEnv: "app.testEnv",
  setup: "app.setup",
  submodules: "ci.submodules",
  dockerfile: "artifact.dockerfile",
};

export interface UnsureValue {
  /** The key in shipgate.yml, e.g. `app.healthPath`. */
  key: string;
  why: string;
}

/**
 * Every value in the written shipgate.yml that a person must check: what detection guessed,
 * and the placeholders of the deploy target (names, URLs, the AWS role). Each is also marked
 * "Replace" where it stands in the file.
 */
export function unsureValues(options: {
  detection: Detection;
  target: TargetType;
  /** URLs the person gave, which are not placeholders. */
  answeredUrls: { staging: boolean; production: boolean };
}): UnsureValue[] {
  const { detection: d, target, answeredUrls } = options;
  const out: UnsureValue[] = [];
  for (const [field, why] of Object.entries(d.unsure) as Array<[DetectedField, string]>) {
    out.push({ key: KEYS[field], why });
  }
  if (!d.dockerfile && target !== "local")
    out.push({ key: "artifact.dockerfile", why: "no Dockerfile was found" });
  if (target !== "local") {
    out.push({
      key: "environments.*.target",
      why: `placeholder names for your ${target === "ecs" ? "ECS" : "Kubernetes"} resources`,
    });
    for (const env of ["staging", "production"] as const) {
      if (!answeredUrls[env]) out.push({ key: `environments.${env}.url`, why: "a placeholder URL" });
    }
  }
  if (target === "ecs" || target === "kubernetes")
    out.push({ key: "aws.roleArn", why: "a placeholder account and role" });
  return out;
}
