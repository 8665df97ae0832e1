/**
 * The local target's instances listed for Prometheus's file-based service discovery
 * (`file_sd_configs`): an instance's port changes whenever it restarts, so a static scrape
 * configuration cannot follow it. Each instance is its own target group, labelled with its
 * environment, release and instance, which is what the `prometheus` metric provider's default
 * selector (`shipgate_release="{{ release }}"`) picks a release's series by.
 */
import type { AgentState } from "./agent-state.js";

export interface ScrapeTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export function scrapeTargets(state: AgentState): ScrapeTargetGroup[] {
  const groups: ScrapeTargetGroup[] = [];
  for (const [env, environment] of Object.entries(state.environments).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    for (const release of environment.releases) {
      for (const instance of release.instances) {
        groups.push({
          targets: [`127.0.0.1:${instance.port}`],
          labels: { shipgate_env: env, shipgate_release: release.spec.id, shipgate_instance: instance.id },
        });
      }
    }
  }
  return groups;
}
