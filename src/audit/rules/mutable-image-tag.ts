import type { Node } from "yaml";
import { scriptLines } from "../classify.js";
import type { Region } from "../model/source.js";
import type { Job, Step, Value } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";
import { type Command, commandsIn, locatedLines, regionInLine, type Token } from "./curl-pipe-shell.js";

export interface ImageRef {
  /** Everything before the tag: `ghcr.io/org/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits `registry:port/path:tag@digest`; the tag is a colon in the last path segment only. */
export function parseImage(image: string): ImageRef {
  const v = image.trim();
  const at = v.indexOf("@");
  const digest = at >= 0 ? v.slice(at + 1) : undefined;
  const name = at >= 0 ? v.slice(0, at) : v;
  const slash = name.lastIndexOf("/");
  const colon = name.indexOf(":", slash + 1);
  return colon < 0
    ? { repository: name, digest }
    : { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest };
}

/**
 * The tags of a `tags:` input: one per line or between commas, except commas inside an
 * expression (`${{ format('{0}:{1}', a, b) }}`).
 */
export function splitTags(value: string): string[] {
  const tags: string[] = [];
  let current = "";
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    if (value.startsWith("${{", i)) depth++;
    else if (value.startsWith("}}", i) && depth > 0) depth--;
    const c = value[i]!;
    if ((c === "\n" || c === ",") && depth === 0) {
      tags.push(current);
      current = "";
    } else current += c;
  }
  tags.push(current);
  return tags.filter((t) => t.trim());
}

/**
 * Why an image reference can change between runs: `latest`, or no tag (which means latest).
 * A name or tag from a variable or expression is not judged (its value is unknown), unless the
 * tag itself is a literal `latest`. A pinned major (`postgres:16`) is a deliberate choice.
 */
export function mutableTag(image: string): "latest" | "untagged" | undefined {
  const v = image.trim();
  if (!v || v.startsWith("docker://") || v.startsWith("-")) return undefined;
  const ref = parseImage(v);
  if (ref.digest) return undefined;
  if (ref.tag !== undefined) return ref.tag === "latest" ? "latest" : undefined;
  if (/[$`{}]/.test(v) || v === "scratch") return undefined;
  return "untagged";
}

/** Options of `docker run/create/pull` that take no value; every other option takes one. */
const BOOLEAN_LONG =
  /^--(rm|detach|interactive|tty|init|privileged|read-only|publish-all|quiet|all-tags|disable-content-trust|no-healthcheck|oom-kill-disable|help|sig-proxy)$/;
const BOOLEAN_SHORT = /^[ditPqa]+$/;

/** The image operand of `docker run|create|pull` (the first word that is not an option or its value). */
export function imageOperand(command: Command): Token | undefined {
  const args = command.args;
  const pull = /pull$/.test(command.name);
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === "--") return args[i + 1];
    if (/^[<>0-9]*[<>]/.test(v)) return undefined; // a redirection before any image: odd, skip
    if (v.startsWith("--")) {
      if (pull && v === "--all-tags") return undefined;
      if (!v.includes("=") && !BOOLEAN_LONG.test(v)) i++;
      continue;
    }
    if (v.startsWith("-") && v.length > 1) {
      const letters = v.slice(1);
      if (pull && letters.includes("a")) return undefined; // -a: every tag of the repository
      if (BOOLEAN_SHORT.test(letters) && !(letters.includes("a") && !pull)) continue;
      // The first letter that takes a value takes the rest of the word, or the next word.
      const first = [...letters].findIndex((c) => !/[ditPq]/.test(c));
      if (first === letters.length - 1) i++;
      continue;
    }
    return args[i];
  }
  return undefined;
}

/** Deploy actions' inputs that name the image to run. */
const DEPLOY_IMAGE_INPUTS: Record<string, string[]> = {
  "aws-actions/amazon-ecs-render-task-definition": ["image"],
  "google-github-actions/deploy-cloudrun": ["image"],
  "azure/k8s-deploy": ["images"],
  "azure/webapps-deploy": ["images"],
  "azure/container-apps-deploy-action": ["imageToDeploy"],
  "azure/aci-deploy": ["image"],
};
/** Actions whose input is a script: run on the target host, or by the Azure CLI's action. */
const SCRIPT_INPUTS: Record<string, string> = {
  "appleboy/ssh-action": "script",
  "azure/cli": "inlineScript",
};

const RUN_OR_PULL = /(?:docker|podman)\s+(?:container\s+|image\s+)?(?:run|create|pull)/;
const DEPLOY_WITH_IMAGE_FLAG =
  /kubectl\s+(?:run|create\s+deployment)|gcloud\s+run\s+deploy|fly(?:ctl)?\s+deploy|az\s+(?:webapp|functionapp|containerapp)\b/;
/** The options that name the image a deploy runs (`--image`, Azure's container image names). */
const IMAGE_FLAG =
  /^--(image|deployment-container-image-name|docker-custom-image-name|container-image-name)$/;

interface Found {
  image: string;
  node: Node;
  region?: Region;
  /** Run by the runner's own Docker daemon, where an image the job just built is found. */
  local?: boolean;
}

/** Images the job builds or tags itself: running those untagged is running what was just built. */
function localImages(job: Job): Set<string> {
  const out = new Set<string>();
  for (const step of job.steps) {
    if (step.uses?.repository?.toLowerCase() === "docker/build-push-action") {
      for (const tag of splitTags(step.with.get("tags")?.value ?? ""))
        out.add(parseImage(tag.trim()).repository);
    }
    for (const line of step.run ? scriptLines(step.run.value) : []) {
      for (const c of commandsIn(
        line.text,
        /(?:docker|podman)\s+(?:buildx\s+)?build|(?:docker|podman)\s+(?:image\s+)?tag/,
      )) {
        const tagged = /tag$/.test(c.name)
          ? c.args.filter((a) => !a.value.startsWith("-")).slice(1, 2)
          : c.args.flatMap((a, i) =>
              /^(-t|--tag)$/.test(a.value)
                ? [c.args[i + 1]]
                : /^--tag=/.test(a.value)
                  ? [{ ...a, value: a.value.slice(6) }]
                  : [],
            );
        for (const t of tagged) if (t) out.add(parseImage(t.value).repository);
      }
    }
  }
  return out;
}

function scriptImages(script: Value<string>, ctx: RuleContext): Found[] {
  const source = ctx.workflow.source;
  const out: Found[] = [];
  for (const line of locatedLines(source, script)) {
    const operands: Token[] = [];
    const local = new Set<Token>();
    for (const c of commandsIn(line.text, RUN_OR_PULL)) {
      const image = imageOperand(c);
      if (image) operands.push(image);
      if (image) local.add(image);
    }
    for (const c of commandsIn(line.text, /kubectl\s+set\s+image/)) {
      for (const a of c.args) {
        const eq = a.value.indexOf("=");
        if (!a.value.startsWith("-") && eq > 0) operands.push({ ...a, value: a.value.slice(eq + 1) });
      }
    }
    for (const c of commandsIn(line.text, DEPLOY_WITH_IMAGE_FLAG)) {
      c.args.forEach((a, i) => {
        const [flag, value] = a.value.split(/=(.*)/s);
        if (!IMAGE_FLAG.test(flag!)) return;
        if (value !== undefined) operands.push({ ...a, value });
        else if (c.args[i + 1]) operands.push(c.args[i + 1]!);
      });
    }
    for (const token of operands) {
      const at = token.at + Math.max(0, token.raw.indexOf(token.value));
      out.push({
        image: token.value,
        node: script.node,
        region: regionInLine(source, script.node, line, token.value, at),
        local: local.has(token),
      });
    }
  }
  return out;
}

function stepImages(step: Step, ctx: RuleContext): Found[] {
  const repo = step.uses?.repository?.toLowerCase() ?? "";
  const out: Found[] = step.run ? scriptImages(step.run, ctx) : [];
  const script = SCRIPT_INPUTS[repo] ? step.with.get(SCRIPT_INPUTS[repo]) : undefined;
  if (script) out.push(...scriptImages(script, ctx));
  for (const input of DEPLOY_IMAGE_INPUTS[repo] ?? []) {
    const v = step.with.get(input);
    for (const image of v ? v.value.split(/[\n,]/) : []) {
      if (image.trim())
        out.push({
          image: image.trim(),
          node: v!.node,
          region: ctx.workflow.source.regionIn(v!.node, image.trim()),
        });
    }
  }
  return out;
}

export const mutableImageTag = defineRule({
  meta: {
    id: "mutable-image-tag",
    name: "Image referenced by a mutable tag",
    severity: "warning",
    confidence: "high",
    category: "reliability",
    description:
      "Reports container and service images, `docker run`/`docker pull` images and deployed image references tagged `latest` or with no tag at all.",
    fixable: false,
  },
  job(job, ctx) {
    reportImages(
      job,
      [
        ...job.images.map((v) => ({ image: v.value, node: v.node })),
        ...job.steps.flatMap((step) => stepImages(step, ctx)),
      ],
      ctx,
    );
  },
  action(steps, ctx) {
    reportImages(
      steps,
      steps.steps.flatMap((step) => stepImages(step, ctx)),
      ctx,
    );
  },
});

function reportImages(job: Job, found: readonly Found[], ctx: RuleContext) {
  const local = localImages(job);
  // One finding per image: a pull and a run of one image are one problem.
  const seen = new Set<string>();
  for (const { image, node, region, local: onRunner } of found) {
    const why = mutableTag(image);
    // One finding per image per job: a pull and a run of the same image are one problem.
    // A deploy reference is pulled by the cluster from the registry, built here or not.
    if (!why || seen.has(image) || (onRunner && local.has(parseImage(image).repository))) continue;
    seen.add(image);
    const name = parseImage(image).repository;
    ctx.report({
      node,
      region,
      key: `${job.id} ${image}`,
      message: `${image} ${why === "latest" ? "is tagged latest" : "has no tag, so it means latest"}: each run can get a different image, and a bad push breaks every job (or deploys something nobody tested). Pin a version (${name}:<version>) or a digest (${name}@sha256:...)`,
    });
  }
}
