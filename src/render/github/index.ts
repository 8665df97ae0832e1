import type { PipelineModel } from "../../pipeline/model.js";
import type { RenderedFile, Renderer } from "../types.js";
import { emitYaml } from "../yaml-emit.js";
import { ciWorkflow } from "./ci.js";
import { deployWorkflow, deployWorkflowPath } from "./deploy.js";
import { rollbackWorkflow } from "./rollback.js";

export const githubRenderer: Renderer = {
  id: "github",
  displayName: "GitHub Actions",
  render(model: PipelineModel): RenderedFile[] {
    return [
      { path: ".github/workflows/ci.yml", body: emitYaml(ciWorkflow(model)) },
      ...model.environments.map((env) => ({
        path: deployWorkflowPath(env),
        body: emitYaml(deployWorkflow(model, env)),
      })),
      { path: ".github/workflows/rollback.yml", body: emitYaml(rollbackWorkflow(model)) },
    ];
  },
};
