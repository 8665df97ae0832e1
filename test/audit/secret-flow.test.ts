import { describe, expect, test } from "vitest";
import { namesAnIdentifier } from "../../src/audit/secret-flow.js";

describe("namesAnIdentifier", () => {
  test.each([
    "secrets.CF_ZONE_ID",
    "secrets.DEV_SANDBOX_NAMESPACE",
    "secrets.OSS_REGISTRY_URL",
    "secrets.SIMULATION_ENTRYPOINT_URL",
    "secrets.GATEWAY_AUTH_ISSUER",
    "secrets.GATEWAY_AUTH_CLIENT_ID",
    "secrets.GATEWAY_AUTH_CLIENT_SECRET_RESOURCE",
    "secrets.REACT_APP_FORMSG_SDK_MODE",
    "secrets.VITE_STRIPE_PUBLISHABLE_KEY",
    "secrets.NEXT_PUBLIC_SENTRY_DSN",
  ])("an identifier, a reference or a value meant for the browser bundle: %s", (what) => {
    expect(namesAnIdentifier(what)).toBe(true);
  });

  test.each([
    "secrets.API_KEY_ID",
    "secrets.DATABASE_URL",
    "secrets.SLACK_WEBHOOK_URL",
    "secrets.AUTH_CLIENT_SECRET",
    "secrets.DEPLOY_TOKEN",
  ])("a credential: %s", (what) => {
    expect(namesAnIdentifier(what)).toBe(false);
  });
});
