import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "secret-echoed";

/** A workflow with one step running `script` (indented for the block scalar). */
function workflow(script: string, extra = ""): string {
  const body = script
    .trim()
    .split("\n")
    .map((l) => `          ${l}`)
    .join("\n");
  return `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      TOKEN: \${{ secrets.TOKEN }}
    steps:
      - run: |
${body}
${extra}`;
}

function sinks(script: string, extra = ""): string[] {
  return findingsOf(ID, workflow(script, extra)).map((f) => f.message.split(":")[0]!);
}

describe("secret-echoed", () => {
  test("printing to the log, directly or through transforming filters", () => {
    expect(sinks('echo "${{ secrets.TOKEN }}"')).toHaveLength(1);
    expect(sinks('echo "$TOKEN" | base64 | rev')).toHaveLength(1);
    expect(sinks('cat <<< "$TOKEN"')).toHaveLength(1);
    expect(sinks('echo -n "${TOKEN}" 1>&2')).toHaveLength(1);
    expect(sinks("echo \"${{ secrets['TOKEN'] }}\"")).toHaveLength(1);
  });

  test("values the script fetches from a secret store, decrypts or masks as credentials are secrets", () => {
    const fetched = sinks(
      'PASSWORD=$(az keyvault secret show --name db --vault-name kv --query value -o tsv)\necho "password=$PASSWORD" >> "$GITHUB_OUTPUT"',
    );
    expect(fetched).toEqual(["$PASSWORD (set from a secret store) is written to $GITHUB_OUTPUT by echo"]);
    const decrypted = sinks(
      'decrypted=$(gpg -qd --batch --passphrase "$TOKEN" -o - key.gpg)\necho "::add-mask::${decrypted}"\necho "out=${decrypted}" >> $GITHUB_OUTPUT',
    );
    expect(decrypted).toHaveLength(1);
    expect(sinks('echo "::add-mask::$API_TOKEN"\necho "$API_TOKEN"')).toHaveLength(1);
    // A masked identifier (an account number) is not a credential.
    expect(
      sinks('echo "::add-mask::$ACCOUNT_NUMBER"\necho "account=$ACCOUNT_NUMBER" >> $GITHUB_OUTPUT'),
    ).toEqual([]);
  });

  test("output consumed by another program or written to a file is not reported", () => {
    expect(sinks('echo "$TOKEN" | docker login -u me --password-stdin')).toEqual([]);
    expect(sinks('echo "$TOKEN" | base64 -d | kubectl apply -f -')).toEqual([]);
    expect(sinks('echo "$TOKEN" | base64 -d > key.pem')).toEqual([]);
    expect(sinks('echo "$TOKEN" > /dev/null')).toEqual([]);
    expect(sinks('echo "TOKEN=$TOKEN" >> "$GITHUB_ENV"')).toEqual([]);
    expect(sinks('TOKEN_B64=$(echo "$TOKEN" | base64)')).toEqual([]);
  });

  test("single quotes, quoted heredoc delimiters and lengths do not expand the variable", () => {
    expect(sinks("echo 'use $TOKEN'")).toEqual([]);
    expect(sinks('echo "length ${#TOKEN}"')).toEqual([]);
    expect(sinks("cat <<'EOF'\n$TOKEN\nEOF")).toEqual([]);
    // GitHub expands ${{ }} before the shell runs, whatever the quoting.
    expect(sinks("echo '${{ secrets.TOKEN }}'")).toHaveLength(1);
    expect(sinks("cat <<'EOF'\n${{ secrets.TOKEN }}\nEOF")).toHaveLength(1);
  });

  test("outputs and summaries, including one-line and multi-line groups", () => {
    expect(sinks('echo "t=$TOKEN" >> $GITHUB_OUTPUT')[0]).toContain("$GITHUB_OUTPUT");
    expect(sinks('{ echo "t=$TOKEN"; echo "x=1"; } >> "$GITHUB_OUTPUT"')[0]).toContain("$GITHUB_OUTPUT");
    expect(sinks('{\n  echo "t=$TOKEN"\n} > config.env')).toEqual([]);
    expect(sinks('echo "$TOKEN" >> "${GITHUB_STEP_SUMMARY}"')[0]).toContain("job summary");
    expect(sinks('echo "::set-output name=t::${{ secrets.TOKEN }}"')[0]).toContain("$GITHUB_OUTPUT");
  });

  test("shell keywords before the command, and quiet greps", () => {
    expect(sinks('if [ -n "$TOKEN" ]; then echo "$TOKEN"; fi')).toHaveLength(1);
    expect(sinks('if echo "$TOKEN" | grep -q "^ghp_"; then echo "a classic token"; fi')).toEqual([]);
    expect(sinks('echo "$TOKEN" | grep ghp_')).toHaveLength(1);
  });

  test("add-mask, comments and comparisons are not leaks", () => {
    expect(sinks('echo "::add-mask::$TOKEN"')).toEqual([]);
    expect(sinks('# echo "$TOKEN"')).toEqual([]);
    expect(sinks("echo \"${{ secrets.TOKEN != '' }}\"")).toEqual([]);
  });

  test("a step env that redefines the variable shadows the secret", () => {
    expect(sinks('echo "$TOKEN"', "        env:\n          TOKEN: not-a-secret\n")).toEqual([]);
  });

  test("a secret named as an identifier is a note; a credential's name keeps it an error", () => {
    const severities = (script: string) =>
      findingsOf(ID, workflow(script)).map((f) => [f.severity, f.message.split(" ")[0]]);
    expect(severities('echo "zone ${{ secrets.CF_ZONE_ID }}"')).toEqual([["note", "secrets.CF_ZONE_ID"]]);
    expect(severities('echo "${{ secrets.SSH_HOST }} ${{ secrets.deploy-user }}"')).toEqual([
      ["note", "secrets.SSH_HOST"],
      ["note", "secrets.deploy-user"],
    ]);
    expect(severities('echo "${{ secrets.API_KEY_ID }}"')).toEqual([["error", "secrets.API_KEY_ID"]]);
    expect(severities('echo "${{ secrets.SLACK_WEBHOOK_URL }}"')).toEqual([
      ["error", "secrets.SLACK_WEBHOOK_URL"],
    ]);
    expect(severities('echo "${{ secrets.DATABASE_URL }}"')).toEqual([["error", "secrets.DATABASE_URL"]]);
    expect(severities('echo "$TOKEN"')).toEqual([["error", "$TOKEN"]]);
  });

  test("non-shell scripts are skipped", () => {
    expect(sinks('echo "$TOKEN"', "        shell: python\n")).toEqual([]);
    expect(sinks('echo "$TOKEN"', "        shell: bash -eo pipefail {0}\n")).toHaveLength(1);
  });

  test("points at the reference on its own line, also after a line continuation", () => {
    const text = workflow('echo "ok"\necho "first" \\\n  "$TOKEN"');
    const [finding] = findingsOf(ID, text);
    const line = text.split("\n")[finding!.region.startLine - 1]!;
    expect(line.slice(finding!.region.startColumn - 1, finding!.region.endColumn - 1)).toBe("$TOKEN");
  });
});
