/**
 * Versions of the command-line tools generated workflows install outside a setup action's own
 * pinning. A workflow that installs "whatever is newest" builds the same commit differently
 * tomorrow (and the audit's floating-tool-version rule says so), so every install names one.
 * Bump them deliberately, like the action pins in data/action-pins.json.
 */
export const TOOL_VERSIONS = {
  /** kubectl for Azure/setup-kubectl; the same minor as the control plane the tests run. */
  kubectl: "v1.37.2",
  /** Poetry installed with pipx before actions/setup-python caches its virtualenvs. */
  poetry: "2.5.1",
} as const;
