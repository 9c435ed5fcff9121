/**
 * The step-snippet library: DATA, one record per reusable operation. Each record says which action-step
 * texts it matches (`match`, with `positives`/`negatives` test vectors walked by one test), what it becomes
 * in a GitHub Actions workflow (`gha`), what the rune runs (`rune`), and what it needs (tools, permissions,
 * inputs). Steps that match nothing stay `manual` in the orb: this library is the only source of automation.
 *
 * Matching: text is lower-cased, split on non-word characters and lightly stemmed (see match.ts). `match` is a
 * list of alternatives; each alternative is a list of terms that must ALL be present; a term may list
 * synonyms as "a|b". Placeholders `${input_name}` in rune argv/files are filled from the rune's parameters;
 * GHA steps read inputs through `env:` (never interpolated into `run:`), see workflow.ts.
 */
import type { ArtifactInput } from '@linkops/shared/contracts';

export interface GhaStep {
  name: string;
  id?: string;
  if?: string;
  /** owner/repo[/path] WITHOUT a ref: the pin map supplies the commit SHA. */
  uses?: string;
  with?: Record<string, string | number | boolean>;
  run?: string;
  env?: Record<string, string>;
}

export type RuneOp =
  /** `split`: after filling placeholders, split each element into words (shlex) — for command-line inputs. */
  | { kind: 'cmd'; argv: string[]; timeout: number; split?: boolean }
  /** `content` 'workflow' = the orb's CI workflow; 'argocd_application' = the orb's Application manifest. */
  | { kind: 'file'; path: string; content: 'workflow' | 'argocd_application' | 'kustomization' | { text: string } }
  | { kind: 'slack'; text: string };

export interface StepSnippet {
  id: string;
  title: string;
  category: string;
  match: string[][];
  /** Vetoes a match when any `terms` token is present, unless an `unless` token is too. */
  veto?: { terms: string[]; unless: string[] };
  positives: string[];
  negatives: string[];
  inputs: ArtifactInput[];
  tools: string[];
  /** Human-readable needs, e.g. "github:security-events:write", "k8s:apply in namespace". */
  permissions: string[];
  gha?: {
    steps: GhaStep[];
    /** Extra events for the workflow's `on:` besides workflow_call. */
    triggers?: string[];
    jobPermissions?: Record<string, 'read' | 'write'>;
    /** Options merged into the leading checkout step (e.g. fetch-depth 0 for history scans). */
    checkoutWith?: Record<string, string | number | boolean>;
    needsCheckout?: boolean;
  };
  rune: RuneOp[];
  /** Orb body part this snippet contributes besides steps. */
  part?: 'argocd_application' | 'kustomization' | 'workflow';
}

const input = (
  name: string,
  description: string,
  dflt?: string | number | boolean,
  extra: Partial<ArtifactInput> = {},
): ArtifactInput => ({
  name,
  type: typeof dflt === 'number' ? 'number' : typeof dflt === 'boolean' ? 'boolean' : 'string',
  required: dflt === undefined && !extra.secret,
  ...(dflt === undefined ? {} : { default: dflt }),
  description,
  secret: false,
  ...extra,
});

const CHART = input('chart_name', 'Helm chart name (created under charts/<name>)', 'app');
const NAMESPACE = input('namespace', 'Kubernetes namespace to deploy into', 'default');
const RELEASE = input('release_name', 'Helm release name', 'app');
const IMAGE = input('image', 'Container image repository, e.g. ghcr.io/org/app', 'ghcr.io/example/app');
const IMAGE_TAG = input('image_tag', 'Container image tag', 'latest');
const CONTEXT = input('build_context', 'Docker build context directory', '.');
const MANIFESTS = input('manifests_path', 'Directory of Kubernetes manifests or kustomization', 'k8s');
const TEST_CMD = input('test_command', 'Command that runs the test suite', 'npm test');
const BUILD_CMD = input('build_command', 'Command that builds the project', 'npm run build');
const TF_DIR = input('terraform_dir', 'Terraform working directory', '.');
const SARIF = input('sarif_file', 'SARIF file to upload to code scanning', 'trivy-results.sarif');
const APP = input('app_name', 'Argo CD Application name', 'app');
const REPO_URL = input('repo_url', 'Git repository URL Argo CD pulls from', undefined);
const REVISION = input('target_revision', 'Git revision Argo CD tracks', 'HEAD');
const DEST_SERVER = input('dest_server', 'Argo CD destination cluster API server', 'https://kubernetes.default.svc');
const WORKFLOW_PATH = input('workflow_path', 'Where the rune writes the CI workflow', '.github/workflows/ci.yml');
const NODE_VERSION = input('node_version', 'Node.js version', '20');
const PYTHON_VERSION = input('python_version', 'Python version', '3.12');
const GO_VERSION = input('go_version', 'Go version', '1.22');
const JAVA_VERSION = input('java_version', 'Java version', '21');
const SLACK = input('slack_webhook_url', 'Slack incoming webhook URL (secret)', undefined, { secret: true, required: false });
const REGISTRY = input('registry', 'Container registry host', 'ghcr.io');
const REGISTRY_USER = input('registry_username', 'Registry user name', 'github-actor');
const REGISTRY_PASSWORD = input('registry_password', 'Registry password or token (secret)', undefined, { secret: true, required: false });

export const SNIPPETS: StepSnippet[] = [
  {
    id: 'trigger-pull-request',
    title: 'Run on pull requests',
    category: 'ci',
    match: [['pull_request'], ['pull', 'request', 'run|trigger|on|open']],
    positives: ['Add a workflow that runs on pull_request', 'Trigger the pipeline on every pull request'],
    negatives: ['Checkout the code', 'Review the pull request manually'],
    inputs: [],
    tools: [],
    permissions: [],
    gha: { steps: [], triggers: ['pull_request'] },
    rune: [],
  },
  {
    id: 'trigger-push',
    title: 'Run on pushes to the main branch',
    category: 'ci',
    match: [['on', 'push'], ['push', 'main|master', 'run|trigger']],
    positives: ['Run the workflow on push to main', 'Trigger on push'],
    negatives: ['Push the image to the registry', 'git push the branch'],
    inputs: [],
    tools: [],
    permissions: [],
    gha: { steps: [], triggers: ['push'] },
    rune: [],
  },
  {
    id: 'checkout',
    title: 'Check out the repository',
    category: 'source',
    match: [['checkout'], ['check', 'out', 'code|repo|repository|source'], ['clone', 'repo|repository']],
    positives: ['Checkout the code', 'Check out the repository', 'Clone the repo'],
    negatives: ['Upload SARIF to code scanning', 'Run the checks'],
    inputs: [],
    tools: ['git'],
    permissions: ['github:contents:read'],
    gha: { steps: [], needsCheckout: true },
    rune: [{ kind: 'cmd', argv: ['git', 'rev-parse', '--show-toplevel'], timeout: 30 }],
  },
  {
    id: 'setup-node',
    title: 'Set up Node.js',
    category: 'toolchain',
    match: [['setup|set|install|use', 'node|nodejs'], ['node', 'version']],
    positives: ['Set up Node.js 20', 'Install node'],
    negatives: ['Set up Python', 'Drain the node before upgrade'],
    inputs: [NODE_VERSION],
    tools: ['node'],
    permissions: [],
    gha: { steps: [{ name: 'Set up Node.js', uses: 'actions/setup-node', with: { 'node-version': '${{ inputs.node_version }}' } }] },
    rune: [{ kind: 'cmd', argv: ['node', '--version'], timeout: 30 }],
  },
  {
    id: 'setup-python',
    title: 'Set up Python',
    category: 'toolchain',
    match: [['setup|set|install|use', 'python']],
    positives: ['Set up Python 3.12', 'Install python'],
    negatives: ['Run the python tests', 'Set up Node.js'],
    inputs: [PYTHON_VERSION],
    tools: ['python3'],
    permissions: [],
    gha: { steps: [{ name: 'Set up Python', uses: 'actions/setup-python', with: { 'python-version': '${{ inputs.python_version }}' } }] },
    rune: [{ kind: 'cmd', argv: ['python3', '--version'], timeout: 30 }],
  },
  {
    id: 'setup-go',
    title: 'Set up Go',
    category: 'toolchain',
    match: [['setup|set|install|use', 'go|golang']],
    positives: ['Set up Go', 'Install golang 1.22'],
    negatives: ['Go to the settings page', 'Set up Java'],
    inputs: [GO_VERSION],
    tools: ['go'],
    permissions: [],
    gha: { steps: [{ name: 'Set up Go', uses: 'actions/setup-go', with: { 'go-version': '${{ inputs.go_version }}' } }] },
    rune: [{ kind: 'cmd', argv: ['go', 'version'], timeout: 30 }],
  },
  {
    id: 'setup-java',
    title: 'Set up Java',
    category: 'toolchain',
    match: [['setup|set|install|use', 'java|jdk']],
    positives: ['Set up Java 21', 'Install the JDK'],
    negatives: ['Set up Go', 'Write the java code'],
    inputs: [JAVA_VERSION],
    tools: ['java'],
    permissions: [],
    gha: {
      steps: [{ name: 'Set up Java', uses: 'actions/setup-java', with: { distribution: 'temurin', 'java-version': '${{ inputs.java_version }}' } }],
    },
    rune: [{ kind: 'cmd', argv: ['java', '-version'], timeout: 30 }],
  },
  {
    id: 'run-tests',
    title: 'Run the test suite',
    category: 'test',
    match: [['run|execute', 'test|tests|unit|suite'], ['test', 'suite'], ['unit', 'test']],
    positives: ['Run the tests', 'Execute unit tests', 'run the test suite'],
    negatives: ['Write a test plan', 'Upload SARIF to code scanning'],
    inputs: [TEST_CMD],
    tools: ['bash'],
    permissions: [],
    gha: { steps: [{ name: 'Run tests', run: 'bash -c "${TEST_COMMAND}"', env: { TEST_COMMAND: '${{ inputs.test_command }}' } }], needsCheckout: true },
    rune: [{ kind: 'cmd', argv: ['${test_command}'], timeout: 1800, split: true }],
  },
  {
    id: 'build',
    title: 'Build the project',
    category: 'build',
    match: [['build|compile', 'project|app|application|code|source'], ['npm', 'build'], ['compile']],
    positives: ['Build the project', 'Compile the code', 'npm run build'],
    negatives: ['Build the docker image', 'Build a container image'],
    inputs: [BUILD_CMD],
    tools: ['bash'],
    permissions: [],
    gha: { steps: [{ name: 'Build', run: 'bash -c "${BUILD_COMMAND}"', env: { BUILD_COMMAND: '${{ inputs.build_command }}' } }], needsCheckout: true },
    rune: [{ kind: 'cmd', argv: ['${build_command}'], timeout: 1800, split: true }],
  },
  {
    id: 'docker-build',
    title: 'Build the container image',
    category: 'container',
    match: [['docker|container|image', 'build'], ['dockerfile', 'build']],
    positives: ['Build the docker image', 'docker build the app', 'Build a container image'],
    negatives: ['Push the image to the registry', 'Build the project'],
    inputs: [IMAGE, IMAGE_TAG, CONTEXT],
    tools: ['docker'],
    permissions: [],
    gha: {
      steps: [
        { name: 'Set up Docker Buildx', uses: 'docker/setup-buildx-action' },
        {
          name: 'Build image',
          uses: 'docker/build-push-action',
          with: { context: '${{ inputs.build_context }}', push: false, tags: '${{ inputs.image }}:${{ inputs.image_tag }}' },
        },
      ],
      needsCheckout: true,
    },
    rune: [{ kind: 'cmd', argv: ['docker', 'build', '-t', '${image}:${image_tag}', '${build_context}'], timeout: 1800 }],
  },
  {
    id: 'docker-push',
    title: 'Push the container image to a registry',
    category: 'container',
    match: [['push|publish', 'image|container|registry|ghcr|ecr'], ['docker', 'push']],
    positives: ['Push the image to the registry', 'Publish the container image', 'docker push'],
    negatives: ['Build the docker image', 'Run on push to main'],
    inputs: [IMAGE, IMAGE_TAG, CONTEXT, REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD],
    tools: ['docker'],
    permissions: ['github:packages:write'],
    gha: {
      steps: [
        { name: 'Set up Docker Buildx', uses: 'docker/setup-buildx-action' },
        {
          name: 'Log in to the registry',
          uses: 'docker/login-action',
          with: { registry: '${{ inputs.registry }}', username: '${{ inputs.registry_username }}', password: '${{ secrets.REGISTRY_PASSWORD }}' },
        },
        { name: 'Image metadata', id: 'meta', uses: 'docker/metadata-action', with: { images: '${{ inputs.image }}' } },
        {
          name: 'Build and push image',
          uses: 'docker/build-push-action',
          with: { context: '${{ inputs.build_context }}', push: true, tags: '${{ steps.meta.outputs.tags }}', labels: '${{ steps.meta.outputs.labels }}' },
        },
      ],
      jobPermissions: { packages: 'write' },
      needsCheckout: true,
    },
    rune: [{ kind: 'cmd', argv: ['docker', 'push', '${image}:${image_tag}'], timeout: 1800 }],
  },
  {
    id: 'helm-chart',
    title: 'Create and lint a Helm chart',
    category: 'helm',
    match: [['helm', 'chart', 'add|create|new|scaffold|write'], ['helm', 'create'], ['chart', 'create|scaffold']],
    positives: ['Add helm chart', 'Create a Helm chart for the service', 'helm create'],
    negatives: ['helm upgrade the release', 'Lint with helm lint', 'helm install the chart'],
    inputs: [CHART],
    tools: ['helm'],
    permissions: [],
    gha: {
      steps: [
        { name: 'Set up Helm', uses: 'azure/setup-helm' },
        { name: 'Lint Helm chart', run: 'helm lint "charts/${CHART_NAME}"', env: { CHART_NAME: '${{ inputs.chart_name }}' } },
      ],
      needsCheckout: true,
    },
    rune: [
      { kind: 'cmd', argv: ['helm', 'create', 'charts/${chart_name}'], timeout: 120 },
      { kind: 'cmd', argv: ['helm', 'lint', 'charts/${chart_name}'], timeout: 120 },
    ],
  },
  {
    id: 'helm-lint',
    title: 'Lint the Helm chart',
    category: 'helm',
    match: [['helm', 'lint|validate|template']],
    positives: ['Lint with helm lint', 'Validate the helm templates'],
    negatives: ['Add helm chart', 'Run eslint'],
    inputs: [CHART],
    tools: ['helm'],
    permissions: [],
    gha: {
      steps: [
        { name: 'Set up Helm', uses: 'azure/setup-helm' },
        { name: 'Lint Helm chart', run: 'helm lint "charts/${CHART_NAME}"', env: { CHART_NAME: '${{ inputs.chart_name }}' } },
      ],
      needsCheckout: true,
    },
    rune: [{ kind: 'cmd', argv: ['helm', 'lint', 'charts/${chart_name}'], timeout: 120 }],
  },
  {
    id: 'helm-package',
    title: 'Package the Helm chart',
    category: 'helm',
    match: [['helm', 'package']],
    positives: ['helm package the chart', 'Package the chart with helm package'],
    negatives: ['Add helm chart', 'Package the npm module'],
    inputs: [CHART],
    tools: ['helm'],
    permissions: [],
    gha: {
      steps: [
        { name: 'Set up Helm', uses: 'azure/setup-helm' },
        { name: 'Package Helm chart', run: 'helm package "charts/${CHART_NAME}" --destination dist', env: { CHART_NAME: '${{ inputs.chart_name }}' } },
      ],
      needsCheckout: true,
    },
    rune: [{ kind: 'cmd', argv: ['helm', 'package', 'charts/${chart_name}', '--destination', 'dist'], timeout: 120 }],
  },
  {
    id: 'helm-upgrade',
    title: 'Deploy the Helm release',
    category: 'helm',
    match: [['helm', 'upgrade|install|deploy|release'], ['deploy', 'helm']],
    positives: ['helm upgrade the release', 'Deploy with Helm', 'helm install the chart'],
    negatives: ['Add helm chart', 'helm lint'],
    inputs: [CHART, RELEASE, NAMESPACE],
    tools: ['helm', 'kubectl'],
    permissions: ['k8s:deploy in namespace'],
    gha: {
      steps: [
        { name: 'Set up Helm', uses: 'azure/setup-helm' },
        {
          name: 'Deploy Helm release',
          run: 'helm upgrade --install "${RELEASE_NAME}" "charts/${CHART_NAME}" --namespace "${NAMESPACE}" --create-namespace --wait',
          env: { RELEASE_NAME: '${{ inputs.release_name }}', CHART_NAME: '${{ inputs.chart_name }}', NAMESPACE: '${{ inputs.namespace }}' },
        },
      ],
      needsCheckout: true,
    },
    rune: [
      {
        kind: 'cmd',
        argv: ['helm', 'upgrade', '--install', '${release_name}', 'charts/${chart_name}', '--namespace', '${namespace}', '--create-namespace', '--wait'],
        timeout: 900,
      },
    ],
  },
  {
    id: 'kubectl-apply',
    title: 'Apply Kubernetes manifests',
    category: 'k8s',
    match: [['kubectl', 'apply'], ['apply', 'manifest|manifests|yaml'], ['deploy', 'kubernetes|k8s|cluster']],
    positives: ['kubectl apply the manifests', 'Apply the Kubernetes manifests', 'Deploy to kubernetes'],
    negatives: ['Deploy with Helm', 'Apply the terraform plan'],
    inputs: [MANIFESTS, NAMESPACE],
    tools: ['kubectl'],
    permissions: ['k8s:apply in namespace'],
    gha: {
      steps: [
        {
          name: 'Validate manifests (server-side dry run)',
          run: 'kubectl apply --dry-run=server -n "${NAMESPACE}" -f "${MANIFESTS_PATH}"',
          env: { NAMESPACE: '${{ inputs.namespace }}', MANIFESTS_PATH: '${{ inputs.manifests_path }}' },
        },
      ],
      needsCheckout: true,
    },
    rune: [{ kind: 'cmd', argv: ['kubectl', 'apply', '-n', '${namespace}', '-f', '${manifests_path}'], timeout: 300 }],
  },
  {
    id: 'kustomize-build',
    title: 'Build and apply a kustomization',
    category: 'k8s',
    match: [['kustomize|kustomization'], ['overlay|overlays', 'environment|env|staging|prod']],
    positives: ['Add a kustomize overlay for staging', 'kustomize build the overlay', 'Create a kustomization'],
    negatives: ['Apply the Kubernetes manifests', 'Create a Helm chart'],
    inputs: [MANIFESTS, NAMESPACE],
    tools: ['kubectl'],
    permissions: ['k8s:apply in namespace'],
    gha: {
      steps: [{ name: 'Render kustomization', run: 'kubectl kustomize "${MANIFESTS_PATH}"', env: { MANIFESTS_PATH: '${{ inputs.manifests_path }}' } }],
      needsCheckout: true,
    },
    rune: [
      { kind: 'file', path: '${manifests_path}/kustomization.yaml', content: 'kustomization' },
      { kind: 'cmd', argv: ['kubectl', 'kustomize', '${manifests_path}'], timeout: 120 },
      { kind: 'cmd', argv: ['kubectl', 'apply', '-n', '${namespace}', '-k', '${manifests_path}'], timeout: 300 },
    ],
    part: 'kustomization',
  },
  {
    id: 'argocd-app',
    title: 'Register an Argo CD Application',
    category: 'gitops',
    match: [['argocd', 'app|application|project'], ['gitops', 'application|app']],
    veto: { terms: ['sync', 'wait', 'delete', 'rollback'], unless: ['add', 'create', 'register', 'new', 'define'] },
    positives: ['ArgoCD app', 'Create an Argo CD Application', 'Register the argocd application', 'Create the ArgoCD app and sync it'],
    negatives: ['Add helm chart', 'Sync the app with argocd app sync'],
    inputs: [APP, REPO_URL, REVISION, CHART, NAMESPACE, DEST_SERVER],
    tools: ['kubectl'],
    permissions: ['k8s:create Application in argocd namespace'],
    rune: [
      { kind: 'file', path: 'argocd/${app_name}-application.yaml', content: 'argocd_application' },
      { kind: 'cmd', argv: ['kubectl', 'apply', '-n', 'argocd', '-f', 'argocd/${app_name}-application.yaml'], timeout: 120 },
    ],
    part: 'argocd_application',
  },
  {
    id: 'argocd-sync',
    title: 'Sync the Argo CD Application',
    category: 'gitops',
    match: [['argocd', 'sync|rollout'], ['sync', 'app|application']],
    positives: ['Sync the app with argocd app sync', 'argocd sync'],
    negatives: ['ArgoCD app', 'Sync the files to S3 bucket'],
    inputs: [APP],
    tools: ['argocd'],
    permissions: ['argocd:applications sync'],
    rune: [
      { kind: 'cmd', argv: ['argocd', 'app', 'sync', '${app_name}'], timeout: 600 },
      { kind: 'cmd', argv: ['argocd', 'app', 'wait', '${app_name}', '--health', '--timeout', '300'], timeout: 330 },
    ],
  },
  {
    id: 'ci-pipeline',
    title: 'Add or update the CI pipeline',
    category: 'ci',
    match: [['ci', 'pipeline|workflow|config|job'], ['continuous', 'integration'], ['github', 'action|actions|workflow']],
    positives: ['update CI pipeline', 'Set up continuous integration', 'Add a GitHub Actions workflow'],
    negatives: ['Add a workflow that runs on pull_request', 'Checkout the code'],
    inputs: [WORKFLOW_PATH, TEST_CMD],
    tools: [],
    permissions: ['github:contents:read'],
    gha: { steps: [{ name: 'Run tests', run: 'bash -c "${TEST_COMMAND}"', env: { TEST_COMMAND: '${{ inputs.test_command }}' } }], needsCheckout: true },
    rune: [{ kind: 'file', path: '${workflow_path}', content: 'workflow' }],
    part: 'workflow',
  },
  {
    id: 'secret-scan',
    title: 'Scan for committed secrets',
    category: 'security',
    match: [['secret|secrets|credential|credentials', 'scan|scanning|scanner|detect|leak'], ['gitleaks']],
    positives: ['Run a secret scan and a dependency audit', 'Scan the repo for leaked credentials', 'Run gitleaks'],
    negatives: ['Store the secret in the vault', 'Run a dependency audit'],
    inputs: [],
    tools: ['gitleaks'],
    permissions: ['github:contents:read'],
    gha: {
      steps: [{ name: 'Scan for secrets', uses: 'gitleaks/gitleaks-action', env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' } }],
      checkoutWith: { 'fetch-depth': 0 },
      needsCheckout: true,
    },
    rune: [
      { kind: 'cmd', argv: ['gitleaks', 'detect', '--source', '.', '--redact', '--report-format', 'sarif', '--report-path', 'gitleaks.sarif'], timeout: 600 },
    ],
  },
  {
    id: 'dependency-audit',
    title: 'Audit dependencies for known vulnerabilities',
    category: 'security',
    match: [['dependency|dependencies|package|packages', 'audit|scan|vulnerability|vulnerabilities|cve'], ['npm|pip', 'audit'], ['sca']],
    positives: ['Run a secret scan and a dependency audit', 'Scan dependencies for vulnerabilities', 'npm audit'],
    negatives: ['Install the dependencies', 'Run a secret scan'],
    inputs: [SARIF],
    tools: ['trivy'],
    permissions: ['github:contents:read'],
    gha: {
      steps: [
        {
          name: 'Audit dependencies',
          uses: 'aquasecurity/trivy-action',
          with: { 'scan-type': 'fs', 'scan-ref': '.', scanners: 'vuln', format: 'sarif', output: '${{ inputs.sarif_file }}' },
        },
      ],
      needsCheckout: true,
    },
    rune: [{ kind: 'cmd', argv: ['trivy', 'fs', '--scanners', 'vuln', '--format', 'sarif', '--output', '${sarif_file}', '.'], timeout: 900 }],
  },
  {
    id: 'image-scan',
    title: 'Scan the container image for vulnerabilities',
    category: 'security',
    match: [['scan', 'image|container'], ['trivy', 'image']],
    positives: ['Scan the container image with trivy', 'trivy image scan'],
    negatives: ['Build the docker image', 'Scan dependencies for vulnerabilities'],
    inputs: [IMAGE, IMAGE_TAG],
    tools: ['trivy'],
    permissions: [],
    gha: {
      steps: [
        {
          name: 'Scan image',
          uses: 'aquasecurity/trivy-action',
          with: { 'image-ref': '${{ inputs.image }}:${{ inputs.image_tag }}', 'exit-code': '1', severity: 'CRITICAL,HIGH' },
        },
      ],
    },
    rune: [{ kind: 'cmd', argv: ['trivy', 'image', '--exit-code', '1', '--severity', 'CRITICAL,HIGH', '${image}:${image_tag}'], timeout: 900 }],
  },
  {
    id: 'sarif-upload',
    title: 'Upload SARIF results to code scanning',
    category: 'security',
    match: [['sarif', 'upload|publish|send'], ['code', 'scanning', 'upload|result|results']],
    positives: ['Upload SARIF to code scanning', 'Publish the sarif report'],
    negatives: ['Run a secret scan and a dependency audit', 'Upload the build artifact'],
    inputs: [SARIF],
    tools: ['codeql'],
    permissions: ['github:security-events:write'],
    gha: {
      steps: [{ name: 'Upload SARIF', if: 'always()', uses: 'github/codeql-action/upload-sarif', with: { sarif_file: '${{ inputs.sarif_file }}' } }],
      jobPermissions: { 'security-events': 'write' },
    },
    rune: [{ kind: 'cmd', argv: ['codeql', 'github', 'upload-results', '--sarif=${sarif_file}'], timeout: 300 }],
  },
  {
    id: 'upload-artifact',
    title: 'Upload build artifacts',
    category: 'build',
    match: [['upload|save|store', 'artifact|artifacts']],
    positives: ['Upload the build artifact', 'Store artifacts'],
    negatives: ['Upload SARIF to code scanning', 'Build the project'],
    inputs: [input('artifact_path', 'Path of the files to keep', 'dist')],
    tools: [],
    permissions: [],
    gha: { steps: [{ name: 'Upload artifact', uses: 'actions/upload-artifact', with: { name: 'build', path: '${{ inputs.artifact_path }}' } }] },
    rune: [{ kind: 'cmd', argv: ['ls', '-la', '${artifact_path}'], timeout: 30 }],
  },
  {
    id: 'cache-deps',
    title: 'Cache dependencies',
    category: 'build',
    match: [['cache', 'dependency|dependencies|module|modules|package|packages']],
    positives: ['Cache the dependencies', 'cache node modules'],
    negatives: ['Install the dependencies', 'Clear the CDN cache'],
    inputs: [],
    tools: [],
    permissions: [],
    gha: {
      steps: [{ name: 'Cache dependencies', uses: 'actions/cache', with: { path: '~/.npm', key: "${{ runner.os }}-deps-${{ hashFiles('**/package-lock.json') }}" } }],
    },
    rune: [],
  },
  {
    id: 'terraform-init',
    title: 'Initialise Terraform',
    category: 'terraform',
    match: [['terraform|tf', 'init|initialise|initialize']],
    positives: ['terraform init', 'Initialize terraform'],
    negatives: ['terraform plan', 'terraform apply'],
    inputs: [TF_DIR],
    tools: ['terraform'],
    permissions: ['cloud:state backend read/write'],
    gha: {
      steps: [
        { name: 'Set up Terraform', uses: 'hashicorp/setup-terraform' },
        { name: 'Terraform init', run: 'terraform -chdir="${TF_DIR}" init -input=false', env: { TF_DIR: '${{ inputs.terraform_dir }}' } },
      ],
      needsCheckout: true,
    },
    rune: [{ kind: 'cmd', argv: ['terraform', '-chdir=${terraform_dir}', 'init', '-input=false'], timeout: 600 }],
  },
  {
    id: 'terraform-plan',
    title: 'Plan Terraform changes',
    category: 'terraform',
    match: [['terraform|tf', 'plan']],
    positives: ['terraform plan', 'Run a tf plan'],
    negatives: ['terraform init', 'Plan the sprint'],
    inputs: [TF_DIR],
    tools: ['terraform'],
    permissions: ['cloud:read'],
    gha: {
      steps: [
        { name: 'Set up Terraform', uses: 'hashicorp/setup-terraform' },
        { name: 'Terraform plan', run: 'terraform -chdir="${TF_DIR}" plan -input=false -out=tfplan', env: { TF_DIR: '${{ inputs.terraform_dir }}' } },
      ],
      needsCheckout: true,
    },
    rune: [{ kind: 'cmd', argv: ['terraform', '-chdir=${terraform_dir}', 'plan', '-input=false', '-out=tfplan'], timeout: 1200 }],
  },
  {
    id: 'terraform-apply',
    title: 'Apply Terraform changes',
    category: 'terraform',
    match: [['terraform|tf', 'apply']],
    positives: ['terraform apply', 'Apply the terraform plan'],
    negatives: ['terraform plan', 'Apply the Kubernetes manifests'],
    inputs: [TF_DIR],
    tools: ['terraform'],
    permissions: ['cloud:write'],
    gha: {
      steps: [
        { name: 'Set up Terraform', uses: 'hashicorp/setup-terraform' },
        { name: 'Terraform plan', run: 'terraform -chdir="${TF_DIR}" plan -input=false -out=tfplan', env: { TF_DIR: '${{ inputs.terraform_dir }}' } },
        { name: 'Terraform apply', run: 'terraform -chdir="${TF_DIR}" apply -input=false tfplan', env: { TF_DIR: '${{ inputs.terraform_dir }}' } },
      ],
      needsCheckout: true,
    },
    rune: [
      { kind: 'cmd', argv: ['terraform', '-chdir=${terraform_dir}', 'plan', '-input=false', '-out=tfplan'], timeout: 1200 },
      { kind: 'cmd', argv: ['terraform', '-chdir=${terraform_dir}', 'apply', '-input=false', 'tfplan'], timeout: 1800 },
    ],
  },
  {
    id: 'slack-notify',
    title: 'Notify Slack',
    category: 'notify',
    match: [['slack'], ['notify|notification|alert', 'team|channel|chat']],
    positives: ['Notify the team on Slack', 'Send a slack notification', 'Alert the channel'],
    negatives: ['Run the tests', 'Add helm chart'],
    inputs: [SLACK],
    tools: [],
    permissions: [],
    gha: {
      steps: [
        {
          name: 'Notify Slack',
          if: 'always()',
          uses: 'slackapi/slack-github-action',
          with: {
            webhook: '${{ secrets.SLACK_WEBHOOK_URL }}',
            'webhook-type': 'incoming-webhook',
            payload: 'text: "${{ github.workflow }} finished: ${{ job.status }}"',
          },
        },
      ],
    },
    rune: [{ kind: 'slack', text: 'rune finished' }],
  },
];

export function snippetById(id: string): StepSnippet | undefined {
  return SNIPPETS.find((s) => s.id === id);
}
