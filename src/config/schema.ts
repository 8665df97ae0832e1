import { z } from "zod";
import {
  awsRegion,
  branchPattern,
  command,
  ecsName,
  eksClusterName,
  httpUrl,
  imageRepository,
  kubernetesLabel,
  kubernetesName,
  oneLine,
  relativePath,
  roleArn,
  runnerLabel,
  urlPath,
} from "./workflow-values.js";

/**
 * The one source of truth for `shipgate.yml`: TypeScript types, validation and the JSON
 * Schema committed at schema/shipgate.schema.json all come from here.
 * Every object is strict so that a misspelt key is an error with a did-you-mean, not a
 * silently ignored setting.
 */

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, "a duration such as 30s, 10m, 24h or 7d")
  .describe("A duration: a number followed by ms, s, m, h or d.");

export const LanguageSchema = z.enum(["node", "python", "go", "rust", "java"]);
export type Language = z.infer<typeof LanguageSchema>;

export const PackageManagerSchema = z.enum([
  "npm",
  "pnpm",
  "yarn",
  "bun",
  "pip",
  "poetry",
  "uv",
  "go",
  "cargo",
  "maven",
  "gradle",
]);
export type PackageManager = z.infer<typeof PackageManagerSchema>;

export const ServiceKindSchema = z.enum(["postgres", "redis", "mysql", "mongodb"]);
export type ServiceKind = z.infer<typeof ServiceKindSchema>;

export const CommandsSchema = z
  .strictObject({
    install: command.optional().describe("Installs dependencies from the lockfile, e.g. `npm ci`."),
    lint: command.optional(),
    typecheck: command.optional(),
    test: command.optional().describe("Runs the tests and writes a coverage report."),
    build: command.optional(),
  })
  .describe("Commands the CI jobs run. A job is generated for every command that is set.");
export type Commands = z.infer<typeof CommandsSchema>;

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a variable name: letters, digits and _");

/** Variables an instance starts with: names a shell accepts, plain string values. */
const runtimeEnv = z.record(variableName, z.string()).default({});

/**
 * A value the test job's environment gets. `{postgres.url}` and the like stand for the address
 * of a service the tests run with: the generated workflow fills in its service container's; see
 * SERVICE_FIELDS in src/pipeline/service-values.ts.
 */
const testEnvValue = oneLine.describe(
  "A value, or {<service>.<url|host|port|user|password|database>} for a test service's address.",
);

export const AppSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes")
      .describe("Service name; used for image and service names."),
    path: relativePath.default(".").describe("Directory of the app inside the repository."),
    buildRoot: relativePath
      .optional()
      .describe(
        "Directory the install, lint, typecheck, test, build and start commands run in, when it is not app.path: the root of the multi-module Maven or Gradle build that app.path is a module of.",
      ),
    language: LanguageSchema,
    packageManager: PackageManagerSchema.optional(),
    languageVersion: oneLine.optional().describe("Runtime version, e.g. '20' for Node or '3.12' for Python."),
    versionFile: relativePath.optional().describe("File the runtime version is read from, e.g. .nvmrc."),
    commands: CommandsSchema.default({}),
    start: z.string().optional().describe("Command that starts one instance; it receives PORT."),
    healthPath: urlPath
      .default("/health")
      .describe("URL path of the health endpoint; a query string is allowed, e.g. /health?deep=1."),
    readyPath: urlPath.optional().describe("URL path of the readiness endpoint, e.g. /ready."),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe("Port the app listens on in its image or on its host, when it is not read from PORT."),
    services: z
      .array(ServiceKindSchema)
      .default([])
      .describe("Services the tests need, run as CI service containers."),
    testEnv: z
      .record(variableName, testEnvValue)
      .default({})
      .describe(
        "Variables the test job sets, e.g. the names the code reads its database address from: POSTGRES_HOST: '{postgres.host}'.",
      ),
    setup: z
      .array(command)
      .default([])
      .describe(
        "Commands every CI job runs after the toolchain is set up and before install, e.g. corepack enable or sudo apt-get install -y libpq-dev.",
      ),
    env: runtimeEnv.describe(
      "Variables every instance starts with on the local target (besides PORT and a minimal base); not secrets: they are kept in the agent's state file.",
    ),
  })
  .describe("The application: how it is installed, checked, built and started.");
export type AppConfig = z.infer<typeof AppSchema>;

export const ArtifactSchema = z
  .strictObject({
    type: z.enum(["container", "tarball"]).default("container"),
    dockerfile: relativePath.default("Dockerfile"),
    context: relativePath.default("."),
    target: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, "a stage name: letters, digits, _ . and -")
      .optional()
      .describe(
        "The Dockerfile stage to build (docker build --target), when the image is not the last stage.",
      ),
    registry: z.enum(["ecr", "ghcr"]).default("ecr"),
    repository: imageRepository.optional().describe("Image repository name; defaults to app.name."),
  })
  .describe("The immutable artifact built once per commit and promoted unchanged.");
export type ArtifactConfig = z.infer<typeof ArtifactSchema>;

export const AuditLevelSchema = z.enum(["low", "moderate", "high", "critical"]);
export type AuditLevel = z.infer<typeof AuditLevelSchema>;
export const ImageSeveritySchema = z.enum(["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"]);
export type ImageSeverity = z.infer<typeof ImageSeveritySchema>;

export const SecuritySchema = z.strictObject({
  dependencyAudit: z
    .strictObject({
      failOn: AuditLevelSchema.default("critical").describe("Lowest advisory severity that fails CI."),
      warnOn: AuditLevelSchema.default("high").describe("Lowest severity reported as a warning."),
    })
    .default({ failOn: "critical", warnOn: "high" }),
  imageScan: z
    .strictObject({
      severity: z.array(ImageSeveritySchema).min(1).default(["CRITICAL", "HIGH"]),
      ignoreUnfixed: z.boolean().default(true),
    })
    .default({ severity: ["CRITICAL", "HIGH"], ignoreUnfixed: true }),
  secretScanning: z.boolean().default(true),
});
export type SecurityConfig = z.infer<typeof SecuritySchema>;

export const CiSchema = z
  .strictObject({
    branches: z.array(branchPattern).min(1).default(["main"]).describe("Branches pull requests target."),
    pathsIgnore: z.array(oneLine).default(["**/*.md", "docs/**", ".github/ISSUE_TEMPLATE/**"]),
    coverage: z
      .strictObject({
        minimum: z.number().min(0).max(100).default(80),
        report: relativePath
          .optional()
          .describe(
            "Coverage report the test command writes; read from the test command when unset (no report, no gate).",
          ),
      })
      .default({ minimum: 80 }),
    security: SecuritySchema.default({
      dependencyAudit: { failOn: "critical", warnOn: "high" },
      imageScan: { severity: ["CRITICAL", "HIGH"], ignoreUnfixed: true },
      secretScanning: true,
    }),
    timeoutMinutes: z.number().int().positive().default(20),
    submodules: z
      .boolean()
      .default(false)
      .describe("Check out git submodules (recursively) in every job that checks out the repository."),
  })
  .describe("Pull-request CI: parallel checks and their gates.");
export type CiConfig = z.infer<typeof CiSchema>;

export const EcsTargetSchema = z.strictObject({
  type: z.literal("ecs"),
  cluster: ecsName,
  service: ecsName,
  taskDefinition: ecsName.describe("Task definition family."),
  containerName: ecsName,
  region: awsRegion.optional().describe("Defaults to aws.region."),
});
/**
 * How a kubernetes environment splits traffic between the stable Deployment and the canary or
 * preview one: the weights of an HTTPRoute's backendRefs, of an Istio VirtualService's routes,
 * or (no router) the share of ready pods behind the one Service.
 */
export const KubernetesTrafficSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("gateway-api"),
    httpRoute: kubernetesName.describe(
      "The HTTPRoute (same namespace) whose backendRefs to the stable Service shipgate weights.",
    ),
  }),
  z.strictObject({
    type: z.literal("istio"),
    virtualService: kubernetesName.describe(
      "The VirtualService (same namespace) whose routes to the stable Service shipgate weights.",
    ),
  }),
  z.strictObject({
    type: z
      .literal("replicas")
      .describe(
        "No router: canary pods join the stable Service, so the canary's share is its share of ready pods; nothing is smoke-tested before it takes traffic.",
      ),
  }),
]);
export type KubernetesTrafficConfig = z.infer<typeof KubernetesTrafficSchema>;

export const KubernetesTargetSchema = z.strictObject({
  type: z.literal("kubernetes"),
  provider: z.enum(["eks", "generic"]).default("eks"),
  cluster: eksClusterName.optional().describe("EKS cluster name (provider eks)."),
  context: oneLine
    .optional()
    .describe("kubeconfig context shipgate deploy uses; default the current context (or in-cluster config)."),
  namespace: kubernetesLabel.default("default"),
  deployment: kubernetesName,
  container: kubernetesLabel,
  service: kubernetesLabel
    .optional()
    .describe("The stable Service in front of the Deployment; defaults to the Deployment's name."),
  traffic: KubernetesTrafficSchema.default({ type: "replicas" }),
  serviceUrl: oneLine
    .optional()
    .describe(
      "How shipgate reaches a canary or preview Service for smoke checks before it takes traffic: a URL with {service}, {namespace} and {port}; default http://{service}.{namespace}.svc.cluster.local:{port} (shipgate running inside the cluster).",
    ),
  apiRetrySeconds: z
    .number()
    .min(1)
    .max(3600)
    .default(30)
    .describe(
      "How long a call to an API server that does not answer (or answers 5xx/429) is retried before the step fails as kubernetes/unreachable; longer for control planes that restart slowly during upgrades.",
    ),
  region: awsRegion.optional(),
});
export const LocalTargetSchema = z.strictObject({
  type: z.literal("local"),
  port: z.number().int().min(1).max(65535).describe("Port of the router that serves the environment."),
  instances: z.number().int().min(1).default(2),
  runner: runnerLabel
    .default("self-hosted")
    .describe("Runner label of the machine that hosts the environment."),
  releaseHeader: z
    .boolean()
    .default(false)
    .describe(
      "Name the answering release in an x-shipgate-release header, for debugging; off because a client that can tell the canary apart can single it out.",
    ),
});
export const TargetSchema = z.discriminatedUnion("type", [
  EcsTargetSchema,
  KubernetesTargetSchema,
  LocalTargetSchema,
]);
export type TargetConfig = z.infer<typeof TargetSchema>;
export type TargetType = TargetConfig["type"];
export const TARGET_TYPES = ["ecs", "kubernetes", "local"] as const satisfies readonly TargetType[];

export const StrategySchema = z.union([
  z.literal("rolling"),
  z.literal("blue-green"),
  z.strictObject({
    canary: z
      .strictObject({
        steps: z.array(z.number().min(1).max(100)).min(1).default([10, 50, 100]),
        stepSeconds: z
          .number()
          .int()
          .positive()
          .default(300)
          .describe("The least time each traffic step runs before it may advance."),
        maxStepSeconds: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            "The longest a step holds for evidence that the canary is within the limits before it rolls back as inconclusive; defaults to 3 × stepSeconds.",
          ),
      })
      .refine((c) => c.maxStepSeconds === undefined || c.maxStepSeconds >= c.stepSeconds, {
        message: "maxStepSeconds must be at least stepSeconds",
        path: ["maxStepSeconds"],
      }),
  }),
]);
export type StrategyConfig = z.infer<typeof StrategySchema>;

export const VerifySchema = z.strictObject({
  healthPath: urlPath.optional().describe("Defaults to app.healthPath."),
  readyPath: urlPath.optional().describe("Defaults to app.readyPath."),
  smoke: relativePath
    .optional()
    .describe("Smoke file: YAML list of requests and expectations, relative to the repository root."),
  timeoutSeconds: z.number().int().positive().default(300),
});
export type VerifyConfig = z.infer<typeof VerifySchema>;

export const ApprovalSchema = z.strictObject({
  required: z.boolean().default(false),
  approvers: z.array(z.string()).default([]),
  expiresAfter: duration.optional(),
  identity: z
    .enum(["signature", "asserted"])
    .default("signature")
    .describe(
      "How an approver proves who they are: an SSH signature checked against allowedSigners, or (asserted) the name they give, recorded as unverified.",
    ),
  allowedSigners: relativePath
    .default("allowed_signers")
    .describe("The approvers' SSH keys, in ssh-keygen's allowed_signers format, relative to shipgate.yml."),
});

/** `{{ name }}` in a PromQL template: the release, the environment, the app, a target field. */
export const TEMPLATE_PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?)\s*\}\}/g;
/** The names a template may use; which `target.<field>` exist depends on the target (metric-templates.ts). */
export const TEMPLATE_NAME = /^(release|env|app|selector|target\.[A-Za-z][A-Za-z0-9_]*)$/;

/** A PromQL template: placeholders must be ones the provider fills in. */
const promqlTemplate = z
  .string()
  .trim()
  .min(1)
  .superRefine((value, ctx) => {
    for (const [, name] of value.matchAll(TEMPLATE_PLACEHOLDER)) {
      if (!TEMPLATE_NAME.test(name!)) {
        ctx.addIssue({
          code: "custom",
          message: `{{ ${name} }} is not a placeholder: use {{ release }}, {{ env }}, {{ app }}, {{ selector }} or {{ target.<field> }}`,
        });
      }
    }
  });

/** The NAME of an environment variable that holds a secret: the secret never goes in shipgate.yml. */
const secretVariable = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "the NAME of an environment variable, not the secret itself");

export const PROMETHEUS_DEFAULT_QUERIES = {
  requests: "http_requests_total{ {{ selector }} }",
  latency: "http_request_duration_seconds_bucket{ {{ selector }} }",
  latencySum: "http_request_duration_seconds_sum{ {{ selector }} }",
} as const;

export const PrometheusProviderSchema = z
  .strictObject({
    type: z.literal("prometheus"),
    url: httpUrl
      .refine((value) => !/^https?:\/\/[^/]*@/.test(value), {
        message: "holds credentials: put them in environment variables named by auth",
      })
      .describe(
        "Base URL of the Prometheus HTTP API (or a compatible one: Thanos Query, Mimir, VictoriaMetrics), e.g. http://prometheus.monitoring:9090; a path prefix is kept.",
      ),
    selector: promqlTemplate
      .default('shipgate_release="{{ release }}"')
      .describe(
        "PromQL label matchers that select one release's series; {{ release }} is the release id. Must name {{ release }}, directly or through the queries.",
      ),
    queries: z
      .strictObject({
        requests: promqlTemplate
          .default(PROMETHEUS_DEFAULT_QUERIES.requests)
          .describe(
            "Series selector of the request counters; their status (or code) label tells errors apart.",
          ),
        errors: promqlTemplate
          .optional()
          .describe(
            "Series selector of the failed-request counters; when unset, the request series whose status or code is 5xx.",
          ),
        latency: z
          .union([promqlTemplate, z.literal(false)])
          .default(PROMETHEUS_DEFAULT_QUERIES.latency)
          .describe(
            "Series selector of the latency histogram's _bucket counters (with le labels); false to analyse counts only.",
          ),
        latencySum: promqlTemplate
          .default(PROMETHEUS_DEFAULT_QUERIES.latencySum)
          .describe("Series selector of the latency histogram's _sum counters."),
      })
      .default({ ...PROMETHEUS_DEFAULT_QUERIES })
      .describe(
        "Series selectors (a metric name with label matchers, no functions): shipgate reads their raw samples and adds up each series' increases itself, across counter resets.",
      ),
    statusLabel: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a Prometheus label name")
      .optional()
      .describe("Label holding the HTTP status; default status, else code."),
    latencyUnit: z
      .enum(["seconds", "milliseconds"])
      .default("seconds")
      .describe("Unit of the histogram's le bounds and sum."),
    timeout: duration
      .default("5s")
      .describe("Longest wait for one query; a slower answer is a failed measurement."),
    interval: duration
      .default("1s")
      .describe(
        "Least time between two queries; the analysis reads more often and gets the last answer in between.",
      ),
    auth: z
      .union([
        z.strictObject({
          bearerTokenEnv: secretVariable.describe("Environment variable holding a bearer token."),
        }),
        z.strictObject({
          usernameEnv: secretVariable.describe("Environment variable holding the basic-auth user name."),
          passwordEnv: secretVariable.describe("Environment variable holding the basic-auth password."),
        }),
      ])
      .optional()
      .describe("Credentials, read from the environment at query time; never written or logged."),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, "an HTTP header name"), z.string())
      .optional()
      .describe("Extra request headers that are not secret, e.g. X-Scope-OrgID for a multi-tenant Mimir."),
  })
  .superRefine((provider, ctx) => {
    const namesRelease = (text: string) => /\{\{\s*release\s*\}\}/.test(text);
    const usesSelector = (text: string) => /\{\{\s*selector\s*\}\}/.test(text);
    const queries = Object.entries(provider.queries).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    );
    // Reported where the fix goes: the selector when the queries go through it, else the query.
    if (
      !namesRelease(provider.selector) &&
      queries.some(([, query]) => usesSelector(query) && !namesRelease(query))
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["selector"],
        message:
          "does not name {{ release }}: the queries that use it would select the same series for every release",
      });
    }
    for (const [name, query] of queries) {
      if (usesSelector(query) || namesRelease(query)) continue;
      ctx.addIssue({
        code: "custom",
        path: ["queries", name],
        message: "selects the same series for every release: it must name {{ release }} or {{ selector }}",
      });
    }
  })
  .describe(
    "Measure releases through a Prometheus server that scrapes them: see docs/metrics/prometheus.md.",
  );
export type PrometheusProviderConfig = z.infer<typeof PrometheusProviderSchema>;

/** Where the canary analysis reads its counts; unset, the target's own (the local router's). */
export const MetricProviderSchema = z.discriminatedUnion("type", [PrometheusProviderSchema]);
export type MetricProviderConfig = z.infer<typeof MetricProviderSchema>;

export const AnalysisSchema = z.strictObject({
  maxErrorRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.01)
    .describe("Highest error rate (5xx and failed connections, 0-1) a canary may show."),
  maxLatencyRatio: z
    .number()
    .positive()
    .default(1.5)
    .describe("Highest ratio of the canary's p95 latency to the stable release's."),
  latencyToleranceMs: z
    .number()
    .min(0)
    .default(2)
    .describe(
      "Milliseconds the canary's p95 may exceed the stable release's whatever the ratio: for services answering in a few milliseconds, where one scheduling delay doubles p95. 0 = the ratio alone.",
    ),
  errorTolerance: z
    .number()
    .min(0)
    .default(0.2)
    .describe("How much higher (relative) the canary's error rate may be than the stable one's: 0.2 = 20%."),
  alpha: z
    .number()
    .gt(0)
    .lt(0.5)
    .default(0.01)
    .describe("Chance of rolling back a canary that is as good as the stable release, across all looks."),
  beta: z
    .number()
    .gt(0)
    .lt(0.5)
    .default(0.05)
    .describe(
      "Chance of advancing a canary that is beyond a limit (per limit, across all looks): a step advances only on evidence that the canary is within them.",
    ),
  whenInconclusive: z
    .enum(["rollback", "bake"])
    .default("rollback")
    .describe(
      "When a step reaches maxStepSeconds with neither evidence of harm nor of safety (too little traffic): roll back, or advance after smoke checks pass, recorded as advanced without evidence.",
    ),
  typicalRequestsPerSecond: z
    .number()
    .positive()
    .optional()
    .describe(
      "Requests per second the environment usually serves, for plan's estimate of how long a healthy canary takes.",
    ),
  minRequests: z
    .number()
    .int()
    .min(0)
    .default(50)
    .describe(
      "A floor on the canary requests of each traffic step, whatever the evidence; fewer holds the step.",
    ),
  provider: MetricProviderSchema.optional().describe(
    "Where the counts come from; unset, the target's own (the local router's per-release counters).",
  ),
});

export type AnalysisConfig = z.infer<typeof AnalysisSchema>;

export const RollbackSchema = z.strictObject({
  automatic: z.boolean().default(true),
  keepReleases: z.number().int().min(1).default(5).describe("Earlier releases kept ready to roll back to."),
  keepPrevious: duration
    .default("5m")
    .describe("Blue-green: how long the previous set keeps running after the switch, for instant rollback."),
});

/**
 * An environment name: a GitHub environment, part of file names (deploy-<name>.yml), URL and
 * state paths, and of cloud resource names, so it keeps to what all of them accept (63
 * characters is the DNS label limit Kubernetes names share).
 */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export const EnvironmentSchema = z.strictObject({
  target: TargetSchema,
  url: httpUrl.optional().describe("Base URL that health and smoke checks call."),
  branch: branchPattern
    .optional()
    .describe("Pushes to this branch deploy here (environments without promoteFrom)."),
  promoteFrom: z.string().optional().describe("Environment whose verified artifact is promoted here."),
  strategy: StrategySchema.default("rolling"),
  verify: VerifySchema.default({ timeoutSeconds: 300 }),
  approval: ApprovalSchema.default({
    required: false,
    approvers: [],
    identity: "signature",
    allowedSigners: "allowed_signers",
  }),
  analysis: AnalysisSchema.default({
    maxErrorRate: 0.01,
    maxLatencyRatio: 1.5,
    latencyToleranceMs: 2,
    errorTolerance: 0.2,
    alpha: 0.01,
    beta: 0.05,
    whenInconclusive: "rollback",
    minRequests: 50,
  }),
  rollback: RollbackSchema.default({ automatic: true, keepReleases: 5, keepPrevious: "5m" }),
  roleArn: roleArn.optional().describe("IAM role for this environment; defaults to aws.roleArn."),
  env: runtimeEnv.describe("Variables for this environment's instances, over app.env (local target)."),
});
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;

export const NotificationsSchema = z.strictObject({
  slack: z
    .strictObject({
      webhookSecret: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, "the NAME of a secret, not the URL")
        .default("SLACK_WEBHOOK_URL")
        .describe("Name of the repository secret that holds the incoming-webhook URL."),
    })
    .optional(),
});

export const AwsSchema = z.strictObject({
  region: awsRegion.default("us-east-1"),
  accountId: z
    .string()
    .regex(/^\d{12}$/, "a 12-digit AWS account id")
    .optional(),
  roleArn: roleArn.optional().describe("Role assumed through GitHub OIDC. Never store access keys."),
});

export const RuleSettingSchema = z.enum(["off", "error", "warning", "note"]);

export const AuditConfigSchema = z
  .strictObject({
    rules: z
      .record(z.string(), RuleSettingSchema)
      .default({})
      .describe("Per-rule severity, or off. Keys are rule ids (docs/rules/)."),
    baseline: z.string().optional().describe("Baseline file of accepted findings; only new findings fail."),
  })
  .describe("Settings for `shipgate audit`.");
export type AuditConfig = z.infer<typeof AuditConfigSchema>;

export const VulnSeveritySchema = z.enum(["low", "medium", "high", "critical"]);
export type VulnSeverity = z.infer<typeof VulnSeveritySchema>;

export const VulnIgnoreSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .describe("Advisory id as the report names it: CVE-2024-1234, GHSA-xxxx-xxxx-xxxx, a SARIF rule id."),
  package: z.string().optional().describe("Only in this package; every package when unset."),
  reason: z.string().trim().min(1, "say why this finding is accepted").describe("Why it is accepted."),
  expires: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "a date such as 2027-03-31")
    .describe(
      "Last day the entry ignores the finding (YYYY-MM-DD); after it the finding fails the gate again.",
    ),
});
export type VulnIgnore = z.infer<typeof VulnIgnoreSchema>;

export const GatesSchema = z
  .strictObject({
    coverage: z
      .strictObject({
        report: z.string().describe("lcov, Cobertura XML or Istanbul coverage-summary.json."),
        min: z.number().min(0).max(100).describe("Lowest line coverage, percent."),
        branches: z.number().min(0).max(100).optional().describe("Lowest branch coverage, percent."),
      })
      .optional(),
    vulns: z
      .strictObject({
        reports: z.array(z.string()).min(1).describe("Trivy JSON, npm audit --json or SARIF reports."),
        failOn: VulnSeveritySchema.default("high").describe("Lowest severity that fails the gate."),
        ignore: z.array(VulnIgnoreSchema).default([]),
      })
      .optional(),
    tests: z
      .strictObject({
        reports: z.array(z.string()).min(1).describe("JUnit XML files or glob patterns."),
        failOnFlaky: z.boolean().default(false).describe("Fail when a test failed then passed on retry."),
      })
      .optional(),
  })
  .describe("Thresholds `shipgate gate all` checks reports against.");
export type GatesConfig = z.infer<typeof GatesSchema>;

export const DoraSchema = z
  .strictObject({
    environment: z
      .string()
      .optional()
      .describe(
        "The environment whose deployments count; default production, or the last in promotion order.",
      ),
    hotfixWindow: duration
      .default("24h")
      .describe(
        "A fix (hotfix or revert) deployed within this window of a release marks that release a failed change.",
      ),
  })
  .describe("Settings for `shipgate dora`.");
export type DoraConfig = z.infer<typeof DoraSchema>;

export const WorkflowFilesSchema = z
  .strictObject({
    prefix: z
      .string()
      .regex(/^([a-z0-9][a-z0-9_-]*)?$/, "lower-case letters, digits, - and _, such as shipgate-")
      .max(40)
      .default("")
      .describe(
        "Put before every generated file's name (<prefix>ci.yml, <prefix>deploy-<env>.yml, <prefix>rollback.yml), to write beside workflows the repository already has, or a second app's beside the first's.",
      ),
  })
  .describe("The generated workflow files.");
export type WorkflowFilesConfig = z.infer<typeof WorkflowFilesSchema>;

/** A release as npm names it: 0.1.0, 1.2.3-rc.1. */
const releaseVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/, "a release version such as 0.1.0");

export const CliSourceSchema = z
  .union([
    z
      .strictObject({
        npm: releaseVersion.describe("A version published to the npm registry, run with npx."),
      })
      .describe("The shipgate package from the npm registry, at an exact version."),
    z
      .strictObject({
        tarball: relativePath.describe(
          "A package tarball committed to the repository (npm pack), e.g. .github/shipgate/shipgate-0.1.0.tgz; generate writes it when it is missing.",
        ),
      })
      .describe("A vendored copy of shipgate: works before and without a registry release."),
  ])
  .describe("Where generated workflows get the shipgate command from.");
export type CliSource = z.infer<typeof CliSourceSchema>;

export const ShipgateConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1).default(1),
    app: AppSchema,
    artifact: ArtifactSchema.default({
      type: "container",
      dockerfile: "Dockerfile",
      context: ".",
      registry: "ecr",
    }),
    ci: CiSchema.default({
      branches: ["main"],
      pathsIgnore: ["**/*.md", "docs/**", ".github/ISSUE_TEMPLATE/**"],
      coverage: { minimum: 80 },
      security: {
        dependencyAudit: { failOn: "critical", warnOn: "high" },
        imageScan: { severity: ["CRITICAL", "HIGH"], ignoreUnfixed: true },
        secretScanning: true,
      },
      timeoutMinutes: 20,
      submodules: false,
    }),
    workflows: WorkflowFilesSchema.default({ prefix: "" }),
    cli: CliSourceSchema.optional().describe(
      "How generated workflows run shipgate; the npm release of the shipgate that generated them when unset.",
    ),
    environments: z
      .record(
        z.string().regex(ENVIRONMENT_NAME, "lower-case letters, digits and dashes, starting with a letter"),
        EnvironmentSchema,
      )
      // Commands look environments up by a name from the command line: `constructor` or
      // `__proto__` must find nothing, not Object.prototype's.
      .transform(
        (environments): Record<string, EnvironmentConfig> => Object.assign(Object.create(null), environments),
      )
      .describe(
        "Environments by name. A name is a GitHub environment, a file name (deploy-<name>.yml) and a path segment: lower-case letters, digits and dashes, starting with a letter, at most 63 characters.",
      ),
    notifications: NotificationsSchema.default({}),
    aws: AwsSchema.optional(),
    audit: AuditConfigSchema.optional(),
    gates: GatesSchema.optional(),
    dora: DoraSchema.optional(),
  })
  .describe("shipgate.yml: the one file a delivery pipeline is generated from.");

/** The validated configuration, with every default filled in. */
export type ShipgateConfig = z.infer<typeof ShipgateConfigSchema>;
/** What a user may write: defaults optional. */
export type ShipgateConfigInput = z.input<typeof ShipgateConfigSchema>;
