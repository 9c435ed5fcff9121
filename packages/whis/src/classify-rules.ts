import type { Platform } from '@linkops/shared/contracts';

export type DomainId =
  | 'ci'
  | 'kubernetes'
  | 'helm'
  | 'gitops'
  | 'docker'
  | 'terraform'
  | 'security'
  | 'observability'
  | 'mlops'
  | 'cloud';

/** A word or phrase and how strongly it points at a domain (3+ = a tool name, 1 = generic). */
export type WeightedTerm = readonly [term: string, weight: number];

/** Choose a platform other than the default when another domain also scores (e.g. security work done in GitHub Actions). */
export interface PlatformHint {
  platform: Platform;
  /** Another domain whose score must reach minScore ... */
  whenDomain?: DomainId;
  minScore?: number;
  /** ... or any of these terms present. */
  whenTerms?: readonly string[];
}

export interface DomainRule {
  domain: DomainId;
  /** Other names submitters use for the domain (for the optional domain hint). */
  aliases: readonly string[];
  platform: Platform;
  platformHints: readonly PlatformHint[];
  /** Slug used in artifact names orb.<platform>.<topic>. */
  topic: string;
  terms: readonly WeightedTerm[];
  /** Texts that must classify as this domain, and texts that must not. */
  positives: readonly string[];
  negatives: readonly string[];
}

/**
 * The classifier's knowledge, as data. Vocabulary is general DevOps language, not
 * phrases lifted from the labelled fixtures (scripts/classifier-accuracy.ts keeps us honest).
 * Terms match on word boundaries, case-insensitively, with an optional plural "s";
 * a longer phrase hides the shorter terms inside it ("helm chart" does not also count "chart").
 */
export const DOMAIN_RULES: readonly DomainRule[] = [
  {
    domain: 'ci',
    aliases: ['ci/github-actions', 'github-actions', 'gha', 'ci-cd', 'cicd', 'pipeline'],
    platform: 'gha',
    platformHints: [],
    topic: 'pipeline',
    terms: [
      ['github actions', 3], ['gha', 3], ['.github/workflows', 3.5], ['workflow', 1.5], ['workflow_dispatch', 3],
      ['pull_request', 2.5], ['pull request', 1], ['ci', 2], ['ci/cd', 2.5], ['pipeline', 1.5], ['continuous integration', 3],
      ['runs-on', 3], ['runner', 2], ['self-hosted runner', 3.5], ['actions/checkout', 3], ['actions/cache', 3],
      ['actions/setup-node', 3], ['actions/setup-python', 3], ['upload-artifact', 3], ['uses:', 1.5], ['build matrix', 3],
      ['matrix', 1.5], ['jenkins', 3], ['jenkinsfile', 3.5], ['gitlab ci', 3], ['.gitlab-ci.yml', 3.5], ['circleci', 3],
      ['azure pipelines', 3], ['buildkite', 3], ['tekton', 2.5], ['lint', 1], ['linter', 1], ['unit test', 1.5],
      ['test suite', 1.5], ['flaky', 1.5], ['job', 1], ['artifact', 1], ['reusable workflow', 3.5], ['composite action', 3.5],
      ['status check', 2.5], ['required check', 2.5], ['branch protection', 2], ['merge queue', 3], ['build cache', 1.5],
      ['semantic-release', 3], ['changelog', 1.5], ['release pipeline', 3], ['nightly build', 2.5], ['on: push', 3],
      ['concurrency group', 3], ['npm ci', 1.5], ['pre-commit', 1.5], ['codecov', 2.5], ['coverage', 1],
    ],
    positives: ['Cache node_modules in GitHub Actions so the workflow stops reinstalling on every pull_request', 'Our Jenkinsfile test stage is flaky'],
    negatives: ['Scale the deployment to five replicas with kubectl'],
  },
  {
    domain: 'kubernetes',
    aliases: ['k8s', 'kube'],
    platform: 'k8s',
    platformHints: [{ platform: 'kustomize', whenTerms: ['kustomize', 'kustomization', 'kustomization.yaml', 'overlay'] }],
    topic: 'deploy',
    terms: [
      ['kubernetes', 3], ['k8s', 3], ['kubectl', 3], ['pod', 2], ['deployment', 1.5], ['statefulset', 3], ['daemonset', 3],
      ['replicaset', 3], ['replica', 1.5], ['namespace', 2], ['ingress', 2.5], ['ingress controller', 3], ['configmap', 3],
      ['node pool', 2.5], ['node', 0.5], ['kubelet', 3], ['crashloopbackoff', 3.5], ['oomkilled', 3.5], ['imagepullbackoff', 3.5],
      ['rollout', 2], ['rollout restart', 3], ['hpa', 3], ['horizontalpodautoscaler', 3.5], ['autoscaler', 1.5],
      ['poddisruptionbudget', 3.5], ['pdb', 2.5], ['liveness', 2.5], ['readiness', 2.5], ['probe', 1.5], ['taint', 2.5],
      ['toleration', 3], ['node affinity', 3], ['affinity', 2], ['cordon', 3], ['drain', 1.5], ['persistentvolumeclaim', 3.5],
      ['pvc', 3], ['persistent volume', 3], ['storageclass', 3], ['kustomize', 3], ['kustomization', 3], ['overlay', 1.5],
      ['minikube', 3], ['kind cluster', 3], ['cronjob', 2.5], ['manifest', 1.5], ['resource limits', 2], ['resources.limits', 2.5],
      ['requests and limits', 2.5], ['control plane', 2], ['etcd', 2.5], ['coredns', 2.5], ['kubeconfig', 3], ['serviceaccount', 2.5],
      ['service account', 1], ['crd', 2.5], ['custom resource', 2.5], ['operator', 1], ['cluster', 1], ['container runtime', 1.5],
      ['kube-proxy', 3], ['cni', 2.5], ['calico', 2.5], ['cilium', 2.5], ['port-forward', 3], ['kubectl apply', 2],
      ['apiversion', 1], ['headless service', 3], ['clusterip', 3], ['nodeport', 3], ['loadbalancer service', 2.5], ['evicted', 2.5],
      ['cluster upgrade', 2.5], ['k9s', 3], ['eviction', 2],
    ],
    positives: ['Pods stuck in CrashLoopBackOff after the rollout; check kubectl describe pod', 'Add a PodDisruptionBudget and readiness probe'],
    negatives: ['Write a Terraform module for the S3 bucket'],
  },
  {
    domain: 'helm',
    aliases: ['helm-chart', 'charts'],
    platform: 'helm',
    platformHints: [],
    topic: 'chart',
    terms: [
      ['helm', 3], ['helm chart', 3.5], ['chart', 2], ['chart.yaml', 3.5], ['values.yaml', 3], ['values file', 2.5],
      ['helm upgrade', 3.5], ['helm install', 3.5], ['helm template', 3.5], ['helm lint', 3.5], ['helm rollback', 3.5],
      ['helm repo', 3.5], ['helm dependency', 3.5], ['helmfile', 3.5], ['subchart', 3.5], ['chart repository', 3.5],
      ['chartmuseum', 3.5], ['_helpers.tpl', 3.5], ['.values', 2.5], ['appversion', 3], ['chart version', 3], ['--set', 1.5],
      ['values-', 1.5], ['release name', 2], ['helm release', 3], ['umbrella chart', 3.5], ['helm test', 3.5], ['helm diff', 3.5],
      ['templates/', 2], ['tpl', 1.5], ['library chart', 3.5], ['helm secrets', 3], ['.helmignore', 3.5], ['helm package', 3.5],
      ['helm push', 3.5], ['bitnami', 2],
    ],
    positives: ['Bump the chart version and run helm upgrade --install with a values-prod.yaml', 'Add a subchart for redis to Chart.yaml'],
    negatives: ['Rotate the leaked AWS key and rewrite git history'],
  },
  {
    domain: 'gitops',
    aliases: ['gitops/argocd', 'argocd', 'argo-cd', 'flux'],
    platform: 'argocd',
    platformHints: [],
    topic: 'gitops',
    terms: [
      ['gitops', 3.5], ['argocd', 3.5], ['argo cd', 3.5], ['argo', 2], ['applicationset', 3.5], ['appproject', 3.5],
      ['app of apps', 3.5], ['app-of-apps', 3.5], ['sync', 1.5], ['sync wave', 3.5], ['sync-wave', 3.5], ['auto-sync', 3],
      ['automated sync', 3], ['selfheal', 3], ['self-heal', 3], ['prune', 1.5], ['drift', 1.5], ['out of sync', 3], ['outofsync', 3.5],
      ['flux', 3], ['fluxcd', 3.5], ['helmrelease', 3], ['gitrepository', 3], ['image updater', 3], ['image automation', 3],
      ['source of truth', 2.5], ['desired state', 2.5], ['reconcile', 2], ['reconciliation', 2], ['config repo', 3],
      ['deployment repo', 3], ['environment repo', 3], ['manifests repo', 3], ['promotion', 1.5], ['promote', 1.5],
      ['pull-based', 3], ['declarative', 1.5], ['argo rollouts', 3], ['sync policy', 3], ['syncpolicy', 3], ['argocd app', 3.5],
      ['application controller', 2.5], ['repo server', 2.5], ['kargo', 3], ['sync status', 3], ['health status', 1.5],
    ],
    positives: ['Convert repo to GitOps', 'Argo CD shows the app OutOfSync after every deploy'],
    negatives: ['Build a smaller Docker image with a multi-stage Dockerfile'],
  },
  {
    domain: 'docker',
    aliases: ['container', 'containers', 'dockerfile', 'compose'],
    platform: 'docker',
    platformHints: [],
    topic: 'image',
    terms: [
      ['docker', 3], ['dockerfile', 3.5], ['container image', 2.5], ['image', 1], ['docker compose', 3.5], ['docker-compose', 3.5],
      ['compose', 1.5], ['multi-stage', 3], ['base image', 2.5], ['buildx', 3], ['buildkit', 3], ['layer', 1.5],
      ['layer cache', 2.5], ['docker build', 3], ['docker run', 3], ['docker push', 3], ['docker pull', 3], ['registry', 1.5],
      ['ghcr', 2], ['docker hub', 3], ['dockerhub', 3], ['distroless', 3], ['alpine', 2], ['entrypoint', 2.5], ['cmd', 1],
      ['healthcheck', 1.5], ['.dockerignore', 3.5], ['podman', 3], ['container', 1], ['containerd', 2], ['image size', 3],
      ['copy --from', 3], ['workdir', 2.5], ['volume', 1], ['bind mount', 2.5], ['docker volume', 3], ['docker network', 3],
      ['exec', 0.5], ['slim', 1.5], ['scratch image', 3], ['image tag', 2], ['latest tag', 2.5], ['docker daemon', 3],
      ['docker exec', 3], ['kaniko', 2.5], ['buildah', 2.5], ['dive', 1.5], ['hadolint', 3],
    ],
    positives: ['Shrink the Dockerfile with a multi-stage build and a distroless base image', 'docker compose up fails because the volume is owned by root'],
    negatives: ['Add a Prometheus alert on p99 latency'],
  },
  {
    domain: 'terraform',
    aliases: ['iac', 'opentofu', 'infrastructure-as-code'],
    platform: 'terraform',
    platformHints: [],
    topic: 'infra',
    terms: [
      ['terraform', 3.5], ['tf', 1.5], ['hcl', 3], ['terraform plan', 3.5], ['terraform apply', 3.5], ['tfstate', 3.5],
      ['state file', 2.5], ['remote state', 3], ['backend', 1], ['state lock', 3], ['module', 1], ['provider', 1.5],
      ['opentofu', 3.5], ['tofu', 2.5], ['terragrunt', 3.5], ['tflint', 3.5], ['tfsec', 2.5], ['workspace', 1],
      ['infrastructure as code', 3], ['iac', 2.5], ['terraform import', 3.5], ['import block', 3], ['pulumi', 3],
      ['cloudformation', 2.5], ['variables.tf', 3.5], ['outputs.tf', 3.5], ['main.tf', 3.5], ['tfvars', 3.5], ['moved block', 3.5],
      ['for_each', 3], ['lifecycle', 1], ['prevent_destroy', 3.5], ['terraform state', 3.5], ['state mv', 3], ['plan output', 2],
      ['data source', 1.5], ['atlantis', 3], ['terraform cloud', 3.5], ['drift detection', 2], ['crossplane', 2.5],
      ['depends_on', 2], ['statefile', 3], ['locals', 1.5], ['taint', 0.5],
    ],
    positives: ['Move the tfstate to an S3 backend with DynamoDB state locking', 'Split main.tf into modules and use for_each'],
    negatives: ['Tune the Grafana dashboard for the ingress controller'],
  },
  {
    domain: 'security',
    aliases: ['devsecops', 'secops', 'appsec'],
    platform: 'runbook',
    platformHints: [
      { platform: 'gha', whenDomain: 'ci', minScore: 2 },
      { platform: 'k8s', whenDomain: 'kubernetes', minScore: 4 },
    ],
    topic: 'security',
    terms: [
      ['security', 2], ['vulnerability', 2.5], ['vulnerable', 2.5], ['cve', 3], ['sast', 3], ['dast', 3], ['sarif', 3],
      ['code scanning', 3], ['codeql', 3], ['trivy', 3], ['grype', 3], ['snyk', 3], ['dependabot', 2.5], ['renovate', 1.5],
      ['secret scanning', 3], ['secret scan', 3], ['gitleaks', 3.5], ['trufflehog', 3.5], ['leaked', 2.5], ['leak', 2],
      ['rotate', 2], ['rotation', 2], ['credential', 2], ['least privilege', 3], ['least-privilege', 3], ['harden', 2.5],
      ['hardening', 2.5], ['permissions', 1], ['rbac', 1.5], ['mfa', 2.5], ['sbom', 3], ['cosign', 3], ['sigstore', 3],
      ['signing', 2], ['signed', 1.5], ['supply chain', 3], ['slsa', 3], ['pin', 1], ['pinned', 1], ['audit', 1.5],
      ['dependency audit', 3], ['npm audit', 3], ['pip-audit', 3], ['tls', 1.5], ['certificate', 1.5], ['mtls', 2],
      ['vault', 2.5], ['sealed secrets', 2.5], ['sealedsecret', 2.5], ['secrets manager', 1.5], ['external secrets', 2],
      ['opa', 2.5], ['gatekeeper', 3], ['kyverno', 3], ['pod security', 3], ['securitycontext', 2.5], ['runasnonroot', 3],
      ['non-root', 2], ['network policy', 2], ['networkpolicy', 2], ['waf', 2.5], ['firewall', 1.5], ['compliance', 1.5],
      ['cis benchmark', 3], ['penetration test', 3], ['exploit', 3], ['attacker', 2.5], ['oidc', 1.5], ['api key', 1.5],
      ['token', 1], ['deploy key', 2], ['ssh key', 1.5], ['encrypt', 2], ['encryption', 2], ['kms', 1.5], ['owasp', 3],
      ['zap', 1.5], ['secret', 1], ['secrets', 1], ['password', 1.5], ['privilege escalation', 3], ['cve-', 3],
      ['falco', 3], ['security group', 0.5], ['scan', 1.5], ['scanning', 1.5], ['security policy', 3], ['security.md', 3],
      ['revoke', 2.5], ['git history', 1.5], ['sso', 1.5], ['read-only root filesystem', 3], ['capabilities', 1.5],
    ],
    positives: ['Harden GitHub Actions security scanning', 'A token leaked in a commit: revoke it and rotate the credentials'],
    negatives: ['Add a Grafana dashboard for request latency'],
  },
  {
    domain: 'observability',
    aliases: ['monitoring', 'o11y', 'logging', 'sre'],
    platform: 'runbook',
    platformHints: [
      { platform: 'helm', whenDomain: 'helm', minScore: 3 },
      { platform: 'k8s', whenDomain: 'kubernetes', minScore: 4 },
    ],
    topic: 'monitoring',
    terms: [
      ['observability', 3], ['monitoring', 2.5], ['monitor', 1.5], ['prometheus', 3], ['grafana', 3], ['alertmanager', 3.5],
      ['alert', 2], ['alerting', 2.5], ['dashboard', 2], ['metric', 2], ['promql', 3.5], ['logs', 1.5], ['logging', 2],
      ['log', 1], ['loki', 3], ['elasticsearch', 2], ['kibana', 3], ['fluent bit', 3], ['fluent-bit', 3], ['fluentd', 3],
      ['opentelemetry', 3], ['otel', 3], ['tracing', 2.5], ['trace', 2], ['span', 1.5], ['jaeger', 3], ['tempo', 2],
      ['datadog', 3], ['new relic', 3], ['slo', 3], ['sli', 3], ['error budget', 3.5], ['latency', 2], ['p99', 2.5],
      ['p95', 2.5], ['uptime', 2], ['pagerduty', 3], ['on-call', 2.5], ['oncall', 2.5], ['postmortem', 2.5], ['incident', 1.5],
      ['servicemonitor', 3.5], ['podmonitor', 3.5], ['exporter', 2.5], ['scrape', 3], ['cloudwatch', 1.5], ['log retention', 2.5],
      ['cardinality', 2.5], ['histogram', 2.5], ['sentry', 2.5], ['statsd', 3], ['apm', 2.5], ['recording rule', 3.5],
      ['alert rule', 3], ['burn rate', 3.5], ['synthetic', 2], ['blackbox', 2.5], ['thanos', 3], ['mimir', 3], ['victoriametrics', 3],
      ['structured logging', 3], ['log level', 2], ['collector', 1.5], ['instrument', 2], ['instrumentation', 2.5], ['telemetry', 2.5],
      ['noisy', 1], ['paging', 2], ['page', 0.5], ['dashboards', 2], ['kube-state-metrics', 3], ['node_exporter', 3], ['node-exporter', 3],
    ],
    positives: ['Add an SLO burn-rate alert in Prometheus and route it through Alertmanager to PagerDuty', 'Ship container logs to Loki with Fluent Bit'],
    negatives: ['Pin actions to commit SHAs in every workflow'],
  },
  {
    domain: 'mlops',
    aliases: ['ml', 'machine-learning', 'ml-ops', 'ai'],
    platform: 'runbook',
    platformHints: [
      { platform: 'gha', whenDomain: 'ci', minScore: 3 },
      { platform: 'k8s', whenDomain: 'kubernetes', minScore: 4 },
    ],
    topic: 'mlops',
    terms: [
      ['mlops', 3.5], ['machine learning', 3], ['ml', 2], ['model', 2], ['training', 2], ['train', 1.5], ['retrain', 3],
      ['inference', 3], ['mlflow', 3.5], ['kubeflow', 3.5], ['dvc', 3.5], ['feature store', 3.5], ['feast', 3], ['dataset', 2],
      ['experiment tracking', 3.5], ['experiment', 1.5], ['hyperparameter', 3], ['gpu', 2.5], ['cuda', 3], ['nvidia', 2.5],
      ['pytorch', 3], ['torch', 2.5], ['tensorflow', 3], ['sklearn', 3], ['scikit-learn', 3], ['model registry', 3.5],
      ['model serving', 3.5], ['kserve', 3.5], ['seldon', 3.5], ['triton', 3], ['bentoml', 3.5], ['data drift', 3.5],
      ['embedding', 2.5], ['llm', 3], ['fine-tune', 3], ['fine-tuning', 3], ['checkpoint', 2], ['notebook', 2], ['jupyter', 2.5],
      ['sagemaker', 3], ['vertex ai', 3], ['airflow', 2], ['feature pipeline', 3], ['accuracy', 1.5], ['evaluation', 1.5],
      ['eval', 1.5], ['ray', 1.5], ['weights', 1.5], ['onnx', 3], ['batch inference', 3.5], ['vllm', 3.5], ['huggingface', 3],
      ['hugging face', 3], ['tokenizer', 2.5], ['epoch', 3], ['feature engineering', 3], ['label', 0.5], ['training data', 3],
      ['model card', 3.5], ['a/b test', 1.5], ['shadow deployment', 2], ['xgboost', 3], ['pandas', 1.5], ['parquet', 1.5],
      ['prediction', 2], ['predictions', 2], ['classifier', 2], ['recall', 1.5], ['f1', 1.5],
    ],
    positives: ['Register the trained model in MLflow and promote it to Production after evaluation', 'Version the training dataset with DVC'],
    negatives: ['Create a VPC with private subnets and a NAT gateway'],
  },
  {
    domain: 'cloud',
    aliases: ['aws', 'gcp', 'azure', 'cloud-infra'],
    platform: 'runbook',
    platformHints: [{ platform: 'terraform', whenDomain: 'terraform', minScore: 2.5 }],
    topic: 'cloud',
    terms: [
      ['aws', 2], ['gcp', 2.5], ['azure', 2], ['google cloud', 2.5], ['s3', 2], ['s3 bucket', 2.5], ['ec2', 2.5], ['vpc', 2.5],
      ['subnet', 2.5], ['security group', 2], ['iam', 1.5], ['iam role', 2], ['lambda', 2.5], ['cloudfront', 3], ['route53', 3],
      ['route 53', 3], ['rds', 2.5], ['aurora', 2.5], ['dynamodb', 2.5], ['load balancer', 2], ['alb', 2.5], ['nlb', 2.5],
      ['autoscaling group', 3], ['auto scaling group', 3], ['asg', 2], ['cost', 2], ['billing', 2.5], ['reserved instance', 3],
      ['savings plan', 3], ['spot instance', 2.5], ['region', 1.5], ['availability zone', 2.5], ['multi-region', 2.5], ['failover', 1.5],
      ['cloud', 1.5], ['gcs', 2.5], ['bigquery', 2], ['cloud run', 3], ['cloud sql', 3], ['blob storage', 3], ['nat gateway', 3],
      ['peering', 2.5], ['transit gateway', 3], ['dns', 1.5], ['cdn', 2], ['backup', 1.5], ['snapshot', 1.5], ['disaster recovery', 2.5],
      ['aws cli', 2.5], ['gcloud', 2.5], ['sqs', 2.5], ['sns', 2.5], ['ecs', 2.5], ['fargate', 3], ['ssm', 2.5],
      ['eks', 1.5], ['gke', 1.5], ['aks', 1.5], ['instance type', 2.5], ['ebs', 2.5], ['efs', 2.5], ['elb', 2.5], ['cloudtrail', 2.5],
      ['organizations', 1], ['landing zone', 3], ['account', 1], ['egress', 1.5], ['bucket', 1.5], ['lifecycle policy', 2],
      ['rightsizing', 3], ['rightsize', 3], ['quota', 1.5], ['vm', 1.5], ['compute engine', 3], ['app engine', 3], ['aws sso', 2.5],
      ['sts', 2], ['assume role', 2.5], ['assumerole', 2.5], ['cloudwatch', 1],
    ],
    positives: ['Cut the AWS bill: move batch jobs to spot instances and rightsize the RDS instance', 'Set up VPC peering between two regions'],
    negatives: ['Fix the flaky Jest tests in the CI pipeline'],
  },
];
