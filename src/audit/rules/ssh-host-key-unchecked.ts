import { defineRule } from "../types.js";
import { locatedLines, regionInLine } from "./curl-pipe-shell.js";

/**
 * OpenSSH told to accept whatever key the host presents: `StrictHostKeyChecking=no` (or `off`),
 * a known-hosts file of /dev/null, which makes every host new every time, and `ssh-keyscan`
 * written into known_hosts at deploy time, which trusts whatever key answers then.
 */
const UNCHECKED =
  /StrictHostKeyChecking(\s*=\s*|\s+)["']?(no|off)\b|UserKnownHostsFile(\s*=\s*|\s+)["']?\/dev\/null|\bssh-keyscan\b[^\n|;&]*>>?\s*\S*known_hosts/i;

export const sshHostKeyUnchecked = defineRule({
  meta: {
    id: "ssh-host-key-unchecked",
    name: "SSH without a host key check",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports ssh, scp and rsync run with `StrictHostKeyChecking=no` or `UserKnownHostsFile=/dev/null`, or after `ssh-keyscan` writes whatever key the host presents into known_hosts, which accept any host key, so a deploy can hand its files and credentials to whoever answers.",
    fixable: false,
  },
  step(step, _job, ctx) {
    if (!step.run || !/StrictHostKeyChecking|UserKnownHostsFile|ssh-keyscan/i.test(step.run.value)) return;
    const source = ctx.workflow.source;
    for (const line of locatedLines(source, step.run)) {
      const match = UNCHECKED.exec(line.text);
      if (!match) continue;
      ctx.report({
        node: step.run.node,
        region: regionInLine(source, step.run.node, line, match[0], match.index),
        key: match[0],
        message: `${/ssh-keyscan/i.test(match[0]) ? "ssh-keyscan at deploy time" : match[0]} makes SSH accept any host key: whoever answers for the host (a hijacked DNS name or IP, a machine on the path) receives the deploy, its files and any credentials sent through it. Pin the host's key: add it to known_hosts from a secret or variable (echo "$SSH_KNOWN_HOSTS" >> ~/.ssh/known_hosts) and leave host key checking on`,
      });
    }
  },
});
