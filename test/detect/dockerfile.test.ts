import { describe, expect, test } from "vitest";
import { dockerfileFacts } from "../../src/detect/dockerfile.js";

const startOf = (text: string) => dockerfileFacts(`FROM base\n${text}\n`).start;

describe("dockerfileFacts: the start command inside its wrappers", () => {
  test("an init process passes on what follows --", () => {
    expect(startOf('ENTRYPOINT ["/sbin/tini", "--", "/opt/app/boot.sh"]')).toBe("/opt/app/boot.sh");
    expect(startOf('ENTRYPOINT ["tini", "--"]\nCMD ["node", "server.js"]')).toBe("node server.js");
  });

  test("a shell that only execs the service, with its arguments passed on", () => {
    expect(
      startOf('ENTRYPOINT ["sh", "-c", "exec java ${JVM_OPTS} -jar application.jar \\"$@\\"", "--"]'),
    ).toBe("java ${JVM_OPTS} -jar application.jar");
    expect(startOf('CMD ["sh", "-c", "gunicorn app.wsgi --bind 0.0.0.0:$PORT"]')).toBe(
      "gunicorn app.wsgi --bind 0.0.0.0:$PORT",
    );
  });
});
