import type { PipelineModel } from "../../pipeline/model.js";
import type { RenderedFile, Renderer } from "../types.js";
import { emitYaml } from "../yaml-emit.js";
import { ciWorkflow } from "./ci.js";
import { deployWorkflow, deployWorkflowPath, workflowPath } from "./deploy.js";
import { rollbackWorkflow } from "./rollback.js";

export const githubRenderer: Renderer = {
  id: "github",
  displayName: "GitHub Actions",
  render(model: PipelineModel): RenderedFile[] {
    return [
      { path: workflowPath(model, "ci"), body: emitYaml(ciWorkflow(model)) },
      ...model.environments.map((env) => ({
        path: deployWorkflowPath(model, env),
        body: emitYaml(deployWorkflow(model, env)),
      })),
      { path: workflowPath(model, "rollback"), body: emitYaml(rollbackWorkflow(model)) },
    ];
  },
};
