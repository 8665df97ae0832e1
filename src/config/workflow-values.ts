import { z } from "zod";

/**
 * Grammars of the values shipgate.yml passes into generated workflows. Renderers hand every
 * such value to a script through `env:` and never paste it into one; these grammars are the
 * second wall: what a value of each kind may hold, checked where the file is read.
 */

/**
 * GitHub expands `${{ }}` anywhere in a workflow (env values and action inputs included)
 * before a step runs, so no value may hold one. Checked first and aborting: a value with an
 * expression is told about that alone, not also about each character its grammar refuses.
 */
export function workflowString() {
  return z.string().refine((value) => !value.includes("${{"), {
    abort: true,
    message:
      'contains "${{", which GitHub evaluates as an expression in the generated workflow before any step runs',
    params: {
      hint: 'write the value itself; a secret or variable belongs in the environment of the job and is read at run time, e.g. "$NPM_TOKEN"',
    },
  });
}

/** A shell command; it runs as written, so only expressions are refused. */
export const command = workflowString();

/** RFC 3986 path and query characters: `&`, `;` and `$` are data in a URL, never shell. */
export const urlPath = workflowString().regex(
  /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/,
  "a URL path such as /health or /health?deep=1, with spaces, quotes, backticks, braces and other characters a URL cannot hold percent-encoded (a space is %20)",
);

const RELATIVE_PATH = /^(?![/-])[A-Za-z0-9._@+/-]+$/;

/** A file or directory inside the repository; a leading `-` would read as a command-line flag. */
export const relativePath = workflowString().regex(
  RELATIVE_PATH,
  "a relative path of letters, digits and . _ - / @ +, not starting with / or -, such as .shipgate/smoke.yml",
);

export function isRelativePath(value: string): boolean {
  return RELATIVE_PATH.test(value);
}

export const httpUrl = workflowString()
  .url({ abort: true })
  .regex(
    /^https?:\/\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#[\]]+$/,
    "an http or https URL, with spaces, quotes, braces and other characters a URL cannot hold percent-encoded",
  );

/** Branch filters of `on: push` and `on: pull_request`: names or glob patterns. */
export const branchPattern = workflowString().regex(
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse them
  /^[^\s\x00-\x1f\x7f-\x9f]+$/,
  "a branch name or pattern, without spaces or control characters",
);

/** Glob patterns and version specs given to actions (`paths-ignore`, `node-version`). */
export const oneLine = workflowString().regex(
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse them
  /^[^\x00-\x1f\x7f-\x9f]+$/,
  "a value on one line, without control characters",
);

/** The OCI distribution grammar, which ECR and GHCR both follow. */
export const imageRepository = workflowString()
  .max(256)
  .regex(
    /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/,
    "an image repository name: lower-case letters and digits, separated by . _ - or /, such as team/orders-api",
  );

export const awsRegion = workflowString().regex(
  /^[a-z]{2}(?:-[a-z]+)+-\d+$/,
  "an AWS region such as us-east-1",
);

export const roleArn = workflowString().regex(
  /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
  "an IAM role ARN, arn:aws:iam::<account>:role/<name>",
);

/** Clusters, services, task definition families and containers of ECS share one grammar. */
export const ecsName = workflowString()
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, "an ECS name: letters, digits, - and _");

export const eksClusterName = workflowString()
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    "an EKS cluster name: letters, digits, - and _, starting with a letter or digit",
  );

/** RFC 1123 label: namespaces and containers. */
export const kubernetesLabel = workflowString()
  .max(63)
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    "a Kubernetes name: lower-case letters, digits and -, starting and ending with a letter or digit",
  );

/** RFC 1123 subdomain: Deployments. */
export const kubernetesName = workflowString()
  .max(253)
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/,
    "a Kubernetes name: lower-case letters, digits, - and ., starting and ending with a letter or digit",
  );

export const runnerLabel = workflowString().regex(
  /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  "a runner label: letters, digits, ., _ and -, such as self-hosted",
);
