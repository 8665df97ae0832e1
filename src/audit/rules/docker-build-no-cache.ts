import { commandWords, jobScriptLines, scriptOffset, shellCommands } from "../classify.js";
import { type Job, plainValue } from "../model/workflow.js";
import { defineRule } from "../types.js";

/** A self-hosted runner keeps its Docker daemon, and with it the local layer cache, between runs. */
function selfHosted(job: Job): boolean {
  const runsOn = plainValue(job.node, "runs-on");
  return JSON.stringify(runsOn ?? "").includes("self-hosted");
}

/** `docker build`, `docker buildx build`, `docker image build`: the words after `build`, or undefined. */
function buildArguments(words: string[]): string[] | undefined {
  if (words[0] !== "docker") return undefined;
  if (words[1] === "build") return words.slice(2);
  if ((words[1] === "buildx" || words[1] === "image") && words[2] === "build") return words.slice(3);
  return undefined;
}

export const dockerBuildNoCache = defineRule({
  meta: {
    id: "docker-build-no-cache",
    name: "Docker build without a layer cache",
    severity: "note",
    confidence: "high",
    category: "performance",
    description:
      "Reports `docker/build-push-action` steps without `cache-from` and `docker build`/`docker buildx build` commands without `--cache-from` on GitHub-hosted runners, which start every build from an empty layer cache.",
    fixable: false,
  },
  job(job, ctx) {
    if (selfHosted(job)) return;
    const source = ctx.workflow.source;
    for (const step of job.steps) {
      if (step.uses?.repository?.toLowerCase() !== "docker/build-push-action") continue;
      if (step.with.has("cache-from") || /^true$/i.test(step.with.get("no-cache")?.value ?? "")) continue;
      ctx.report({
        node: step.uses.node,
        key: `${job.id}: ${step.name ?? step.uses.raw}`,
        message:
          "docker/build-push-action without cache-from rebuilds every layer on a fresh runner, including the dependency install: add cache-from: type=gha and cache-to: type=gha,mode=max (or a registry cache, type=registry,ref=<image>:buildcache)",
      });
    }
    for (const line of jobScriptLines(job, source.text)) {
      for (const command of shellCommands(line.text)) {
        const args = buildArguments(commandWords(command.text));
        if (!args) continue;
        // --no-cache is a deliberate clean build; a bare $CACHE_ARGS (or "$@") may carry the cache flags.
        if (
          args.some(
            (a) =>
              /^--(cache-from|no-cache)\b/.test(a) ||
              /^\$(@|\{?\w*(ARGS|FLAGS|OPTS|OPTIONS|CACHE)\w*\}?)$/i.test(a),
          )
        )
          continue;
        const at = scriptOffset(source.text, line, command.text);
        const node = line.step.run!.node;
        const needle = /^\S+\s+(?:(?:buildx|image)\s+)?build\b/.exec(command.text)?.[0] ?? "docker build";
        ctx.report({
          node,
          region:
            at === undefined ? source.regionIn(node, needle) : source.regionOf(at, at + command.text.length),
          key: `${job.id}: ${command.text.replace(/\s+/g, " ")}`,
          message: `${needle.replace(/\s+/g, " ")} without --cache-from starts from an empty layer cache on every hosted runner: use docker buildx build with --cache-from type=gha --cache-to type=gha,mode=max (or a registry cache)`,
        });
      }
    }
  },
});
