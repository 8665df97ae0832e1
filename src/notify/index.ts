import type { ShipgateConfig } from "../config/schema.js";
import { createSlackNotifier } from "./slack.js";

export type NotificationKind = "started" | "succeeded" | "rolled-back" | "failed" | "awaiting-approval";

export interface Notification {
  kind: NotificationKind;
  env: string;
  deployment: string;
  artifact: string;
  /** One line: what happened and why. */
  text: string;
}

/** Tells people what a deployment does. Never throws: a notification must not fail a deploy. */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/**
 * The notifier shipgate.yml asks for: Slack when `notifications.slack` is set and its
 * environment variable holds a webhook URL; otherwise none. `warn` hears about failures,
 * already scrubbed of the URL.
 */
export function notifierFor(options: {
  config: ShipgateConfig;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
}): Notifier | undefined {
  const slack = options.config.notifications.slack;
  if (!slack) return undefined;
  const url = (options.env ?? process.env)[slack.webhookSecret];
  if (!url) {
    options.warn?.(`notifications.slack is set but ${slack.webhookSecret} is empty: no Slack messages`);
    return undefined;
  }
  return createSlackNotifier({ url, ...(options.warn && { warn: options.warn }) });
}
