import { memoByObject } from "./memo.js";
import type { Job, Workflow } from "./model/workflow.js";

/** The jobs a job waits for, directly or through others (`needs`), in no particular order. */
export function jobAncestors(job: Job, workflow: Workflow): Job[] {
  return [...(ancestors(workflow).get(job) ?? [])];
}

/** The jobs that wait for a job, directly or through others, in the workflow's order. */
export function jobDependents(job: Job, workflow: Workflow): Job[] {
  const after = dependents(workflow).get(job);
  return after ? workflow.jobs.filter((j) => after.has(j)) : [];
}

const ancestors = memoByObject((workflow: Workflow) => closure(workflow, needsOf(workflow)));

const dependents = memoByObject((workflow: Workflow) => {
  const needs = needsOf(workflow);
  const waiting = new Map<Job, Job[]>(workflow.jobs.map((j) => [j, []]));
  for (const job of workflow.jobs) for (const need of needs(job)) waiting.get(need)!.push(job);
  return closure(workflow, (job) => waiting.get(job)!);
});

function needsOf(workflow: Workflow): (job: Job) => Job[] {
  const byId = new Map(workflow.jobs.map((j) => [j.id, j]));
  return (job) => job.needs.flatMap((id) => byId.get(id) ?? []);
}

/**
 * Every job's set of jobs reachable through `next`, without itself, for all jobs at once.
 * Each set is built from its neighbours' sets, biggest first, so a neighbour already inside
 * costs nothing: a job that needs all those before it (a fan-in) costs its own size, not the
 * square of it, as walking the graph from every job would. Jobs on a cycle (which GitHub
 * rejects) are walked one by one.
 */
function closure(workflow: Workflow, next: (job: Job) => Job[]): Map<Job, Set<Job>> {
  const out = new Map<Job, Set<Job>>();
  // Kahn's order: a job once every job it reaches has its set.
  const pending = new Map<Job, number>();
  const reachedBy = new Map<Job, Job[]>(workflow.jobs.map((j) => [j, []]));
  for (const job of workflow.jobs) {
    const targets = next(job);
    pending.set(job, targets.length);
    for (const target of targets) reachedBy.get(target)!.push(job);
  }
  const ready = workflow.jobs.filter((j) => pending.get(j) === 0);
  for (let i = 0; i < ready.length; i++) {
    const job = ready[i]!;
    const set = new Set<Job>();
    const targets = [...next(job)].sort((a, b) => out.get(b)!.size - out.get(a)!.size);
    for (const target of targets) {
      if (set.has(target)) continue;
      set.add(target);
      for (const further of out.get(target)!) set.add(further);
    }
    out.set(job, set);
    for (const source of reachedBy.get(job)!) {
      const left = pending.get(source)! - 1;
      pending.set(source, left);
      if (left === 0) ready.push(source);
    }
  }
  for (const job of workflow.jobs) if (!out.has(job)) out.set(job, walk(job, next));
  return out;
}

function walk(job: Job, next: (job: Job) => Job[]): Set<Job> {
  const seen = new Set<Job>();
  const queue = [...next(job)];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]!;
    if (seen.has(at) || at === job) continue;
    seen.add(at);
    for (const further of next(at)) queue.push(further);
  }
  return seen;
}
