import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "insecure-download";

const run = (line: string) => `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          ${line}
`;
const count = (line: string) => findingsOf(ID, run(line)).length;

describe(ID, () => {
  test("-k inside a cluster of flags, before a value-taking letter, counts; after one it is the value", () => {
    expect(count("curl -kfsSLo out https://a.example/x")).toBe(1);
    expect(count("curl -sSko out https://a.example/x")).toBe(1);
    expect(count("curl -sSo k https://a.example/x")).toBe(0);
    expect(count("curl -sS -Hk:v https://a.example/x")).toBe(0);
  });

  test("wget -k is --convert-links, not insecure", () => {
    expect(count("wget -k https://a.example/x")).toBe(0);
  });

  test("http: downloads to stdout are probes unless piped or captured", () => {
    expect(count("wget -qO- http://a.example/x")).toBe(0);
    expect(count("wget -qO- http://a.example/x | sh")).toBe(1);
    expect(count("curl -o - http://a.example/x | tar x")).toBe(1);
    expect(count("curl -fsSO http://a.example/x.tgz")).toBe(1);
    expect(count("curl --url http://a.example/x.tgz --output x.tgz")).toBe(1);
    expect(count("curl -fsS --header 'Authorization: Bearer t' http://a.example/api")).toBe(1);
  });

  test("private addresses and internal names are the runner's network", () => {
    for (const host of [
      "192.168.1.10",
      "172.20.0.5",
      "[::1]:8080",
      "db.internal",
      "printer.local",
      "web:3000",
    ]) {
      expect(count(`curl -o x http://${host}/x`), host).toBe(0);
    }
    expect(count("curl -o x http://172.32.0.1/x")).toBe(1);
  });
});
