import type { Node } from "yaml";
import { buildsImage } from "../classify.js";
import type { Region } from "../model/source.js";
import type { Job, Step, Workflow } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";
import { type Command, commandsIn, locatedLines, regionInLine } from "./curl-pipe-shell.js";
import { parseImage, splitTags } from "./mutable-image-tag.js";

interface Push {
  repository: string;
  tag: string;
  /** A literal tag: the same name on every run. */
  fixed: boolean;
  node: Node;
  region?: Region;
}

/**
 * `${{ env.X }}` and `$X`/`${X}` replaced by the env value the step sees, when it has one, and
 * expressions spelled one way.
 */
function resolver(step: Step, job: Job, workflow: Workflow): (text: string) => string {
  const env = new Map<string, string>();
  for (const scope of [workflow.env, job.env, step.env]) for (const [k, v] of scope) env.set(k, v.value);
  return (text) =>
    text
      .replace(/\$\{\{\s*env\.([\w-]+)\s*\}\}/g, (m, name: string) => env.get(name) ?? m)
      .replace(/\$\{?([A-Za-z_]\w*)\}?/g, (m, name: string) => env.get(name) ?? m)
      // One spelling per expression: `${{ x}}` in one variable and `${{ x }}` in another name one image.
      .replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, "${{ $1 }}");
}

/**
 * A pushed reference and whether its tag is fixed. A tag (or a name without tag) that comes
 * from an expression or a variable is assumed traceable: it is how SHA, version and
 * docker/metadata-action tags are written. Only literal tags (`latest`, `prod`) are fixed.
 */
function push(reference: string, node: Node, region?: Region): Push | undefined {
  const text = reference.trim();
  if (!text) return undefined;
  const ref = parseImage(text);
  if (ref.digest) return undefined;
  const dynamic = /[$`]/.test(ref.tag ?? text);
  return { repository: ref.repository, tag: ref.tag ?? "latest", fixed: !dynamic, node, region };
}

function actionPushes(step: Step, resolve: (text: string) => string): Push[] {
  if (step.uses?.repository?.toLowerCase() !== "docker/build-push-action") return [];
  const pushes = step.with.get("push")?.value.trim();
  const outputs = step.with.get("outputs")?.value ?? "";
  // `push: ${{ github.event_name != 'pull_request' }}` pushes on some events: counted as a push.
  const pushed = (pushes !== undefined && pushes !== "false") || /type=registry|push=true/.test(outputs);
  const tags = step.with.get("tags");
  if (!pushed || !tags) return [];
  return splitTags(tags.value)
    .map(resolve)
    .filter((t) => !WHOLE_EXPRESSION.test(t.trim()))
    .flatMap((t) => push(t, tags.node) ?? []);
}

/** A tag that is one expression (after env is resolved) names its image only at run time. */
const WHOLE_EXPRESSION = /^\$\{\{((?!\}\})[\s\S])*\}\}$/;

function tagsOf(command: Command): string[] {
  return command.args.flatMap((a, i) =>
    /^(-t|--tag)$/.test(a.value) && command.args[i + 1]
      ? [command.args[i + 1]!.value]
      : /^--tag=/.test(a.value)
        ? [a.value.slice(6)]
        : [],
  );
}

/** `docker push` operands and `docker buildx build --push -t …` tags of a script. */
function scriptPushes(
  step: Step,
  workflow: Workflow,
  resolve: (text: string) => string,
  created: Created,
): Push[] {
  if (!step.run) return [];
  const out: Push[] = [];
  const source = workflow.source;
  for (const line of locatedLines(source, step.run)) {
    const at = (c: Command) => {
      const last = c.args.at(-1);
      const text = line.text.slice(c.at, last ? last.at + last.raw.length : c.at + c.name.length);
      return regionInLine(source, step.run!.node, line, text, c.at);
    };
    for (const c of commandsIn(line.text, /(?:docker|podman)\s+(?:buildx\s+)?build/)) {
      const pushes = c.args.some((a) => a.value === "--push" || /type=registry|push=true/.test(a.value));
      for (const tag of tagsOf(c)) {
        const p = push(resolve(tag), step.run.node, at(c));
        if (!p) continue;
        created.add(p);
        if (pushes) out.push(p);
      }
    }
    for (const c of commandsIn(line.text, /(?:docker|podman)\s+(?:image\s+)?tag/)) {
      const target = c.args.filter((a) => !a.value.startsWith("-"))[1];
      const p = target && push(resolve(target.value), step.run.node, at(c));
      if (p) created.add(p);
    }
    for (const c of commandsIn(line.text, /(?:docker|podman)\s+(?:image\s+)?push/)) {
      const all = c.args.some((a) => /^(-a|--all-tags)$/.test(a.value));
      const operand = c.args.find((a) => !a.value.startsWith("-"));
      if (!operand) continue;
      const region = at(c);
      if (all) {
        // Every tag the job gave this repository.
        const repository = parseImage(resolve(operand.value)).repository;
        out.push(...created.inRepository(repository).map((p) => ({ ...p, node: step.run!.node, region })));
      } else {
        const p = push(resolve(operand.value), step.run.node, region);
        // Point at where the job gave the image that tag (`docker build -t`, `docker tag`).
        const origin = p && created.first(p.repository, p.tag);
        if (p) out.push(origin ? { ...p, node: origin.node, region: origin.region } : p);
      }
    }
  }
  return out;
}

export const imageTagNotSha = defineRule({
  meta: {
    id: "image-tag-not-sha",
    name: "Image pushed without a commit SHA tag",
    severity: "warning",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports images built and pushed only under fixed tags (`latest`, `prod`, `staging-latest`) and never under the commit SHA, so nobody can tell which commit is deployed.",
    fixable: false,
  },
  job: reportFixedTags,
  // A build-and-push action of the repository pushes what every job using it pushes.
  action: reportFixedTags,
});

function reportFixedTags(job: Job, ctx: RuleContext) {
  // Only jobs that build: re-tagging an image built elsewhere (a promotion) keeps its SHA tag.
  if (!job.steps.some(buildsImage)) return;
  const created = new Created();
  const pushes = job.steps.flatMap((step) => {
    const resolve = resolver(step, job, ctx.workflow);
    return [...actionPushes(step, resolve), ...scriptPushes(step, ctx.workflow, resolve, created)];
  });
  const byRepository = new Map<string, Push[]>();
  for (const p of pushes) {
    const list = byRepository.get(p.repository);
    if (list) list.push(p);
    else byRepository.set(p.repository, [p]);
  }
  for (const [repository, list] of byRepository) {
    if (!list.every((p) => p.fixed)) continue;
    const tags = [...new Set(list.map((p) => `:${p.tag}`))].join(", ");
    ctx.report({
      node: list[0]!.node,
      region: list[0]!.region,
      key: `${job.id} ${repository}`,
      message: `${repository} is pushed only as ${tags}, never tagged with the commit SHA: nobody can tell which commit is running, and there is no earlier image to roll back to. Also tag it with \${{ github.sha }} (docker/metadata-action's type=sha does this) and deploy that tag`,
    });
  }
}

/** The images a job tagged so far, looked up by repository and tag without a scan per push. */
class Created {
  private readonly byTag = new Map<string, Push>();
  private readonly byRepository = new Map<string, Push[]>();

  add(p: Push): void {
    const tag = `${p.repository}\0${p.tag}`;
    if (!this.byTag.has(tag)) this.byTag.set(tag, p);
    const list = this.byRepository.get(p.repository);
    if (list) list.push(p);
    else this.byRepository.set(p.repository, [p]);
  }

  /** The first image given this tag. */
  first(repository: string, tag: string): Push | undefined {
    return this.byTag.get(`${repository}\0${tag}`);
  }

  inRepository(repository: string): Push[] {
    return this.byRepository.get(repository) ?? [];
  }
}
