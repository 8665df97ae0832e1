import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "aws-static-credentials";

const step = (inputs: string) =>
  `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some-org/s3-sync@v1\n        with:\n${inputs
    .split("\n")
    .map((l) => `          ${l}`)
    .join("\n")}\n`;

describe("aws-static-credentials", () => {
  test("snake_case inputs of other actions count too, once per step", () => {
    const text = step("aws_access_key_id: ${{ secrets.KEY }}\naws_secret_access_key: ${{ secrets.SECRET }}");
    expect(findingsOf(ID, text)).toHaveLength(1);
  });

  test("literal keys are reported; placeholders and the documentation key are not", () => {
    expect(findingsOf(ID, step("aws-access-key-id: AKIA2E0A8F3B244C9986"))).toHaveLength(1);
    expect(findingsOf(ID, step("aws-access-key-id: AKIAIOSFODNN7EXAMPLE"))).toEqual([]);
    expect(findingsOf(ID, step("aws-access-key-id: minioadmin\naws-secret-access-key: minioadmin"))).toEqual(
      [],
    );
  });

  test("credentials from an earlier step or from env are temporary or reported where they are set", () => {
    expect(findingsOf(ID, step("aws-access-key-id: ${{ steps.sts.outputs.key }}"))).toEqual([]);
    expect(findingsOf(ID, step("aws-access-key-id: ${{ env.AWS_ACCESS_KEY_ID }}"))).toEqual([]);
  });
});
