import type { Notification, Notifier } from "./index.js";

const TIMEOUT_MS = 5000;
const ICONS: Record<Notification["kind"], string> = {
  started: ":rocket:",
  succeeded: ":white_check_mark:",
  "rolled-back": ":rewind:",
  failed: ":x:",
  "awaiting-approval": ":raised_hand:",
};

/**
 * Posts to a Slack incoming webhook. The URL is a secret: it is never printed, and any error
 * text that could carry it is scrubbed before `warn` hears of it. A webhook that fails or
 * hangs costs at most five seconds and a warning; it never fails the deployment.
 */
export function createSlackNotifier(options: { url: string; warn?: (message: string) => void }): Notifier {
  const scrub = (text: string) => text.split(options.url).join("<webhook>");
  return {
    async notify(n) {
      const body = {
        text: `${ICONS[n.kind]} *${n.env}* ${n.kind.replace("-", " ")}: ${n.deployment} (${n.artifact}): ${n.text}`,
      };
      try {
        const res = await fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.body?.cancel();
        if (!res.ok) options.warn?.(`Slack notification failed: HTTP ${res.status}`);
      } catch (error) {
        const reason =
          error instanceof Error
            ? error.cause instanceof Error
              ? error.cause.message
              : error.message
            : String(error);
        options.warn?.(scrub(`Slack notification failed: ${reason}`));
      }
    },
  };
}
