import type { Rule } from "../types.js";
import { awsStaticCredentials } from "./aws-static-credentials.js";
import { ciNoCancelStale } from "./ci-no-cancel-stale.js";
import { cloudStaticCredentials } from "./cloud-static-credentials.js";
import { conditionAlwaysTrue } from "./condition-always-true.js";
import { curlPipeShell } from "./curl-pipe-shell.js";
import { deployAfterFailure } from "./deploy-after-failure.js";
import { deployCancelInProgress } from "./deploy-cancel-in-progress.js";
import { deployMissingConcurrency } from "./deploy-missing-concurrency.js";
import { deployWithoutCi } from "./deploy-without-ci.js";
import { deployWithoutRollback } from "./deploy-without-rollback.js";
import { deprecatedWorkflowCommand } from "./deprecated-workflow-command.js";
import { dockerBuildNoCache } from "./docker-build-no-cache.js";
import { ecsNoWait } from "./ecs-no-wait.js";
import { excessivePermissions } from "./excessive-permissions.js";
import { floatingToolVersion } from "./floating-tool-version.js";
import { hardcodedCredentials } from "./hardcoded-credentials.js";
import { ignoreWithoutReason } from "./ignore-without-reason.js";
import { imageTagNotSha } from "./image-tag-not-sha.js";
import { insecureDownload } from "./insecure-download.js";
import { invalidWorkflow } from "./invalid-workflow.js";
import { kubectlNoRolloutStatus } from "./kubectl-no-rollout-status.js";
import { missingDependencyCache } from "./missing-dependency-cache.js";
import { missingPermissions } from "./missing-permissions.js";
import { missingTimeout } from "./missing-timeout.js";
import { mutableImageTag } from "./mutable-image-tag.js";
import { noPostDeployCheck } from "./no-post-deploy-check.js";
import { noStagingEnvironment } from "./no-staging-environment.js";
import { nonDeterministicInstall } from "./non-deterministic-install.js";
import { persistCredentials } from "./persist-credentials.js";
import { productionRebuild } from "./production-rebuild.js";
import { productionWithoutEnvironment } from "./production-without-environment.js";
import { retiredAction } from "./retired-action.js";
import { retiredRunner } from "./retired-runner.js";
import { scanCannotFail } from "./scan-cannot-fail.js";
import { scriptInjection } from "./script-injection.js";
import { secretEchoed } from "./secret-echoed.js";
import { secretExposed } from "./secret-exposed.js";
import { secretInCommandLine } from "./secret-in-command-line.js";
import { secretsInherit } from "./secrets-inherit.js";
import { selfHostedOnPullRequest } from "./self-hosted-on-pull-request.js";
import { sshHostKeyUnchecked } from "./ssh-host-key-unchecked.js";
import { tlsVerificationDisabled } from "./tls-verification-disabled.js";
import { undefinedReference } from "./undefined-reference.js";
import { unpinnedAction } from "./unpinned-action.js";
import { untrustedCheckout } from "./untrusted-checkout.js";
import { unverifiedDownload } from "./unverified-download.js";
import { workflowRunHeadCheckout } from "./workflow-run-head-checkout.js";

/**
 * Every rule, by id, sorted. A test compares this with src/audit/rules/ and docs/rules/, so a
 * rule cannot exist without being registered, documented and tested.
 */
export const RULE_REGISTRY = {
  "aws-static-credentials": awsStaticCredentials,
  "ci-no-cancel-stale": ciNoCancelStale,
  "cloud-static-credentials": cloudStaticCredentials,
  "condition-always-true": conditionAlwaysTrue,
  "curl-pipe-shell": curlPipeShell,
  "deploy-after-failure": deployAfterFailure,
  "deploy-cancel-in-progress": deployCancelInProgress,
  "deploy-missing-concurrency": deployMissingConcurrency,
  "deploy-without-ci": deployWithoutCi,
  "deploy-without-rollback": deployWithoutRollback,
  "deprecated-workflow-command": deprecatedWorkflowCommand,
  "docker-build-no-cache": dockerBuildNoCache,
  "ecs-no-wait": ecsNoWait,
  "excessive-permissions": excessivePermissions,
  "floating-tool-version": floatingToolVersion,
  "hardcoded-credentials": hardcodedCredentials,
  "ignore-without-reason": ignoreWithoutReason,
  "image-tag-not-sha": imageTagNotSha,
  "insecure-download": insecureDownload,
  "invalid-workflow": invalidWorkflow,
  "kubectl-no-rollout-status": kubectlNoRolloutStatus,
  "missing-dependency-cache": missingDependencyCache,
  "missing-permissions": missingPermissions,
  "missing-timeout": missingTimeout,
  "mutable-image-tag": mutableImageTag,
  "no-post-deploy-check": noPostDeployCheck,
  "no-staging-environment": noStagingEnvironment,
  "non-deterministic-install": nonDeterministicInstall,
  "persist-credentials": persistCredentials,
  "production-rebuild": productionRebuild,
  "production-without-environment": productionWithoutEnvironment,
  "retired-action": retiredAction,
  "retired-runner": retiredRunner,
  "scan-cannot-fail": scanCannotFail,
  "script-injection": scriptInjection,
  "secret-echoed": secretEchoed,
  "secret-exposed": secretExposed,
  "secret-in-command-line": secretInCommandLine,
  "secrets-inherit": secretsInherit,
  "self-hosted-on-pull-request": selfHostedOnPullRequest,
  "ssh-host-key-unchecked": sshHostKeyUnchecked,
  "tls-verification-disabled": tlsVerificationDisabled,
  "undefined-reference": undefinedReference,
  "unpinned-action": unpinnedAction,
  "untrusted-checkout": untrustedCheckout,
  "unverified-download": unverifiedDownload,
  "workflow-run-head-checkout": workflowRunHeadCheckout,
} as const satisfies Record<string, Rule>;

export const RULES: Rule[] = Object.values(RULE_REGISTRY);
