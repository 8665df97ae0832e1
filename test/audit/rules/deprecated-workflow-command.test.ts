import { describe, expect, test } from "vitest";
import { applyFixes } from "../../../src/audit/fix.js";
import { findingsOf, scriptWorkflow } from "../harness.js";

const ID = "deprecated-workflow-command";

const workflow = scriptWorkflow;

const fixed = (script: string) => {
  const text = workflow(script);
  return applyFixes(text, findingsOf(ID, text)).text.split("\n").slice(6).join("\n").trim();
};

describe(ID, () => {
  test("set-output and save-state are warnings; set-env and add-path errors", () => {
    const severities = findingsOf(
      ID,
      workflow(
        'echo "::set-output name=a::1"\necho "::save-state name=b::2"\necho "::set-env name=C::3"\necho "::add-path::/opt/bin"',
      ),
    ).map((f) => f.severity);
    expect(severities).toEqual(["warning", "warning", "error", "error"]);
  });

  test("the quoted echo is rewritten, expressions and shell expansions kept", () => {
    expect(fixed('echo "::set-output name=tag::${{ github.sha }}"')).toBe(
      'echo "tag=${{ github.sha }}" >> "$GITHUB_OUTPUT"',
    );
    expect(fixed('test -n "$X" && echo "::set-output name=x::$X"; echo done')).toBe(
      'test -n "$X" && echo "x=$X" >> "$GITHUB_OUTPUT"; echo done',
    );
  });

  test("forms whose rewrite would change what runs get no safe fix", () => {
    // Unquoted: quoting stops word splitting; offered, not applied.
    const unquoted = findingsOf(ID, workflow("echo ::set-output name=built::$BUILT_AT"));
    expect(unquoted[0]!.fix).toMatchObject({ safe: false });
    expect(unquoted[0]!.fix!.edits[0]!.text).toBe('echo "built=$BUILT_AT" >> "$GITHUB_OUTPUT"');
    for (const script of [
      // %0A-escaped multi-line values need the heredoc form of $GITHUB_OUTPUT.
      "echo \"::set-output name=body::${BODY//$'\\n'/%0A}\"",
      // Already redirected somewhere: not a plain command.
      'echo "::set-output name=a::1" >> log.txt',
      // printf, and a value built over several words.
      'printf "::set-output name=a::%s\\n" "$A"',
      "echo ::set-output name=t::$(date +%s)",
    ]) {
      const findings = findingsOf(ID, workflow(script));
      expect(findings, script).toHaveLength(1);
      expect(findings[0]!.fix?.safe ?? false, script).toBe(false);
    }
  });

  test("add-path needs no name, the others need one", () => {
    expect(fixed('echo "::add-path::$HOME/bin"')).toBe('echo "$HOME/bin" >> "$GITHUB_PATH"');
    expect(findingsOf(ID, workflow('echo "::set-env::oops"'))[0]!.fix).toBeUndefined();
  });

  test("ACTIONS_ALLOW_UNSECURE_COMMANDS is reported when it enables, at any level", () => {
    expect(
      findingsOf(ID, workflow("make", "\n    env:\n      ACTIONS_ALLOW_UNSECURE_COMMANDS: 'true'")),
    ).toHaveLength(1);
    expect(
      findingsOf(ID, workflow("make", "\n    env:\n      ACTIONS_ALLOW_UNSECURE_COMMANDS: false")),
    ).toEqual([]);
  });

  test("current workflow commands are not reported", () => {
    expect(
      findingsOf(
        ID,
        workflow('echo "::add-mask::$T"\necho "::notice::set-output is gone"\necho "::group::x"'),
      ),
    ).toHaveLength(0);
  });
});
