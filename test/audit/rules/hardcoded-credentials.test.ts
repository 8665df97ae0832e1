import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "hardcoded-credentials";

function job(env: string, services = ""): string {
  return `on: push
jobs:
  a:
    runs-on: ubuntu-latest
${services}    env:
${env
  .trim()
  .split("\n")
  .map((l) => `      ${l}`)
  .join("\n")}
    steps:
      - run: make test
`;
}

const count = (text: string) => findingsOf(ID, text).length;

describe("hardcoded-credentials", () => {
  test("messages never contain the credential", () => {
    const secret = "Zq8vLr2nXw5s";
    const findings = findingsOf(ID, job(`DB: mysql://app:${secret}@db.example.com/app\nPASSWORD: ${secret}`));
    expect(findings).toHaveLength(2);
    for (const f of findings) expect(f.message).not.toContain(secret);
  });

  test("URL passwords: local hosts, service containers, expressions and shell variables are fine", () => {
    expect(count(job("URL: https://u:Hx7pQ2mW9kLs@example.com"))).toBe(1);
    expect(count(job("URL: postgres://u:Hx7pQ2mW9kLs@localhost:5432/db"))).toBe(0);
    expect(count(job("URL: amqp://u:Hx7pQ2mW9kLs@127.0.0.1"))).toBe(0);
    expect(count(job("URL: https://u:${{ secrets.PASSWORD }}@example.com"))).toBe(0);
    expect(count(job("URL: https://u:$PASSWORD@example.com"))).toBe(0);
    const services = "    services:\n      mongo:\n        image: mongo:7.0\n";
    expect(count(job("URL: mongodb://root:Hx7pQ2mW9kLs@mongo:27017", services))).toBe(0);
    // A service of another job does not make the host local to this one.
    const other = `on: push
jobs:
  b:
    runs-on: ubuntu-latest
    services:
      mongo:
        image: mongo:7.0
    steps:
      - run: make test
  a:
    runs-on: ubuntu-latest
    steps:
      - run: mongosh mongodb://root:Hx7pQ2mW9kLs@mongo:27017
`;
    expect(count(other)).toBe(1);
  });

  test("credential-named keys: literals are reported, references and placeholders are not", () => {
    expect(count(job("API_KEY: sk_live_51H8xYzAbCdEf"))).toBe(1);
    expect(count(job("client-secret: 9f8e7d6c5b4a"))).toBe(1);
    expect(count(job("API_KEY: ${{ secrets.API_KEY }}"))).toBe(0);
    expect(count(job("API_KEY: $API_KEY_FROM_VAULT"))).toBe(0);
    expect(count(job("API_KEY: your-api-key"))).toBe(0);
    expect(count(job("API_KEY: <api key>"))).toBe(0);
    expect(count(job("SECRET_ARN: arn:aws:secretsmanager:eu-west-1:1:secret:db"))).toBe(0);
    expect(count(job("TOKEN_PATH: /var/run/secrets/token"))).toBe(0);
    expect(count(job("SKIP_TOKEN_CHECK: 'yes'"))).toBe(0);
    expect(count(job("TOKEN_TTL: 3600"))).toBe(0);
    // One lowercase word picks a mode; a mix of cases, digits or symbols is a credential.
    expect(count(job("KEY_SECRET: direct"))).toBe(0);
    expect(count(job("DB_PASSWORD: Winter2024"))).toBe(1);
    // Not a credential setting: only shaped credentials count there.
    expect(count(job("GREETING: Hx7pQ2mW9kLs"))).toBe(0);
  });

  test("service-container settings and the same value in the job are test credentials", () => {
    const services =
      "    services:\n      db:\n        image: mysql:8.4\n        env:\n          MYSQL_ROOT_PASSWORD: Hx7pQ2mW9kLs\n";
    expect(count(job("MYSQL_PASSWORD: Hx7pQ2mW9kLs", services))).toBe(0);
    expect(count(job("MYSQL_PASSWORD: other-Pw-77", services))).toBe(1);
  });

  test("shaped tokens anywhere, including comments, but not placeholders", () => {
    expect(count(job("NOTE: see ghp_R4nd0mT0k3nF0rT3st1ngPurp0s3s0nly123"))).toBe(1);
    expect(count(`# old key: AKIA2E0A8F3B244C9986\n${job("A: b")}`)).toBe(1);
    expect(count(job("KEY_ID: AKIAXXXXXXXXXXXXXXXX"))).toBe(0);
    expect(count(job("KEY_ID: AKIAIOSFODNN7EXAMPLE"))).toBe(0);
    expect(count(job("TOKEN: xoxb-your-token-here"))).toBe(0);
  });

  test("a token in a credential-named key is one finding, not two", () => {
    const findings = findingsOf(ID, job("GH_TOKEN: ghp_R4nd0mT0k3nF0rT3st1ngPurp0s3s0nly123"));
    expect(findings.map((f) => f.message.split(" is ")[0])).toEqual(["a GitHub token"]);
  });
});
