import type { TargetType } from "../config/schema.js";
import { comment, pair, section } from "./yaml-lines.js";

export type EnvironmentName = "staging" | "production";

/** The `target:` block of one environment, with names derived from the app name as placeholders. */
export function targetLines(options: { type: TargetType; env: EnvironmentName; name: string }): string[] {
  const { type, env, name } = options;
  switch (type) {
    case "ecs":
      return [
        ...comment(2, "Replace: placeholder names for your ECS cluster, service and task definition."),
        section(2, "target"),
        pair(3, "type", "ecs"),
        pair(3, "cluster", `${name}-${env}`),
        pair(3, "service", name),
        ...comment(3, "Task definition family; each deploy registers a revision with the new image."),
        pair(3, "taskDefinition", `${name}-${env}`),
        pair(3, "containerName", name),
      ];
    case "kubernetes":
      return [
        ...comment(2, "Replace: placeholder names for your EKS cluster, namespace and Deployment."),
        section(2, "target"),
        pair(3, "type", "kubernetes"),
        pair(3, "provider", "eks"),
        pair(3, "cluster", env),
        pair(3, "namespace", `${name}-${env}`),
        pair(3, "deployment", name),
        ...comment(3, "Container in the pod spec whose image is replaced on deploy."),
        pair(3, "container", name),
      ];
    case "local":
      return [
        ...comment(2, "Runs on a machine you own, behind a small router on this port."),
        section(2, "target"),
        pair(3, "type", "local"),
        pair(3, "port", env === "staging" ? 8080 : 8081),
        ...comment(3, "Two instances let a rolling deploy replace one while the other serves."),
        pair(3, "instances", 2),
        ...comment(3, "Label of the self-hosted runner on that machine."),
        pair(3, "runner", "self-hosted"),
      ];
  }
}

/** The placeholder URL of an environment; local targets are served on this machine. */
export function defaultUrl(options: { type: TargetType; env: EnvironmentName }): string {
  if (options.type === "local") return `http://localhost:${options.env === "staging" ? 8080 : 8081}`;
  return options.env === "staging" ? "https://staging.example.com" : "https://example.com";
}

/** ECS and EKS deploy through AWS, so they need a region and a role to assume. */
export function usesAws(type: TargetType): boolean {
  return type === "ecs" || type === "kubernetes";
}
