import { describe, expect, test } from "vitest";
import { dockerfileFacts } from "../../src/detect/dockerfile.js";

const startOf = (text: string) => dockerfileFacts(`FROM base\n${text}\n`).start;

describe("dockerfileFacts: the port the service answers HTTP on", () => {
  const portOf = (text: string) => dockerfileFacts(`FROM base\n${text}\n`).port;
  test("the one its health check requests, one a variable names for HTTP, else not SSH, LDAP or a database", () => {
    expect(portOf("EXPOSE 22 3000")).toBe(3000);
    expect(portOf("ARG LDAP_PORT=3890\nARG HTTP_PORT=17170\nEXPOSE ${LDAP_PORT} ${HTTP_PORT}")).toBe(17170);
    expect(portOf("EXPOSE 8080 9090\nHEALTHCHECK CMD curl -f http://localhost:9090/health")).toBe(9090);
    expect(portOf("EXPOSE 80\nEXPOSE 8000")).toBe(8000);
    expect(portOf("EXPOSE 5432")).toBe(5432);
  });
});

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
