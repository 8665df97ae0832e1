import type { Rule } from "../types.js";
import { ignoreWithoutReason } from "./ignore-without-reason.js";
import { invalidWorkflow } from "./invalid-workflow.js";
import { missingTimeout } from "./missing-timeout.js";
import { scriptInjection } from "./script-injection.js";
import { unpinnedAction } from "./unpinned-action.js";

/**
 * Every rule, by id, sorted. A test compares this with src/audit/rules/ and docs/rules/, so a
 * rule cannot exist without being registered, documented and tested.
 */
export const RULE_REGISTRY = {
  "ignore-without-reason": ignoreWithoutReason,
  "invalid-workflow": invalidWorkflow,
  "missing-timeout": missingTimeout,
  "script-injection": scriptInjection,
  "unpinned-action": unpinnedAction,
} as const satisfies Record<string, Rule>;

export const RULES: Rule[] = Object.values(RULE_REGISTRY);
