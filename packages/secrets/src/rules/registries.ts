import type { SecretRule } from '../types.js';
import { ALNUM, B64, B64URL, HEX, LOWER_NUM, contextRule, inSyntaxes, placeholderNegatives, prefixRule, rule, sample } from './helpers.js';

const npmToken = 'npm_' + sample('npm', 36, ALNUM);

export const registryRules: SecretRule[] = [
  prefixRule({ id: 'npm-access-token', description: 'npm access token', severity: 'critical', body: 'npm_[A-Za-z0-9]{36}', keywords: ['npm_'], sample: npmToken, name: 'NPM_TOKEN', gitleaks: 'npm-access-token', secretlint: '@secretlint/secretlint-rule-npm', lookalikes: ['NPM_TOKEN=npm_config_registry'] }),
  rule({
    id: 'npmrc-auth-token',
    description: 'Registry auth token in .npmrc',
    severity: 'critical',
    regex: /\/\/[\w.-]+(?::\d+)?(?:\/[\w.-]+)*\/:_auth(?:Token)?[ \t]*=[ \t]*["']?([A-Za-z0-9_.+/=-]+)/,
    keywords: [':_auth'],
    entropy: 3.5,
    secretlint: '@secretlint/secretlint-rule-npm',
    samplePath: '.npmrc',
    positives: [`//registry.npmjs.org/:_authToken=${sample('npmrc', 64, HEX)}`, `//npm.pkg.github.com/:_authToken=${sample('npmrc-gh', 40, ALNUM)}`, `//acme.jfrog.io/artifactory/api/npm/npm/:_auth=${sample('npmrc-auth', 48, B64)}=`],
    negatives: ['//registry.npmjs.org/:_authToken=${NPM_TOKEN}', '//registry.npmjs.org/:_authToken=<token>', '//registry.npmjs.org/:always-auth=true'],
  }),
  contextRule({ id: 'yarn-npm-auth-token', description: 'npmAuthToken in .yarnrc.yml', severity: 'critical', ids: 'npmauthtoken|npm_?auth_?token', secret: '[A-Za-z0-9_.-]{30,200}', keywords: ['npmauthtoken', 'npm_auth_token'], sample: sample('yarnrc', 40, ALNUM), name: 'NPM_AUTH_TOKEN' }),
  prefixRule({ id: 'pypi-upload-token', description: 'PyPI upload token', severity: 'critical', body: 'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}', keywords: ['pypi-ageichlwas5vcmc'], sample: 'pypi-AgEIcHlwaS5vcmc' + sample('pypi', 140, B64URL), name: 'PYPI_TOKEN', gitleaks: 'pypi-upload-token' }),
  prefixRule({ id: 'pypi-test-upload-token', description: 'TestPyPI upload token', severity: 'medium', body: 'pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_-]{50,300}', keywords: ['pypi-agendgvzdc5wexbplm9yzw'], sample: 'pypi-AgENdGVzdC5weXBpLm9yZw' + sample('testpypi', 140, B64URL), name: 'TEST_PYPI_TOKEN' }),
  prefixRule({ id: 'rubygems-api-token', description: 'RubyGems API key', severity: 'critical', body: 'rubygems_[a-f0-9]{48}', keywords: ['rubygems_'], sample: 'rubygems_' + sample('rubygems', 48, HEX), name: 'GEM_HOST_API_KEY', gitleaks: 'rubygems-api-token' }),
  prefixRule({ id: 'nuget-api-key', description: 'NuGet API key', severity: 'critical', body: 'oy2[a-z0-9]{43}', keywords: ['oy2'], sample: 'oy2' + sample('nuget', 43, LOWER_NUM), name: 'NUGET_API_KEY', gitleaks: 'nuget-config-password' }),
  prefixRule({ id: 'dockerhub-pat', description: 'Docker Hub personal access token', severity: 'critical', body: 'dckr_pat_[A-Za-z0-9_-]{27,40}', keywords: ['dckr_pat_'], sample: 'dckr_pat_' + sample('dockerhub', 27, B64URL), name: 'DOCKERHUB_TOKEN' }),
  prefixRule({ id: 'dockerhub-org-access-token', description: 'Docker Hub organization access token', severity: 'critical', body: 'dckr_oat_[A-Za-z0-9_-]{32,40}', keywords: ['dckr_oat_'], sample: 'dckr_oat_' + sample('dockerhub-oat', 32, B64URL), name: 'DOCKERHUB_ORG_TOKEN' }),
  rule({
    id: 'docker-config-auth',
    description: 'Registry credentials in Docker config.json (auths)',
    severity: 'critical',
    regex: /"auth"[ \t]*:[ \t]*"([A-Za-z0-9+/]{16}[A-Za-z0-9+/]*={0,2})"/,
    keywords: ['"auth"'],
    fileRequires: /"auths"\s*:/,
    fileRequiresLiteral: '"auths"',
    entropy: 3.5,
    samplePath: '.docker/config.json',
    positives: [
      `{"auths": {"https://index.docker.io/v1/": {"auth": "${Buffer.from('deploy:' + sample('dockercfg', 24, ALNUM)).toString('base64')}"}}}`,
      `{\n  "auths": {\n    "ghcr.io": {\n      "auth": "${Buffer.from('bot:ghp_' + sample('dockercfg-gh', 36, ALNUM)).toString('base64')}"\n    }\n  }\n}`,
    ],
    negatives: ['{"auths": {"ghcr.io": {"auth": "${DOCKER_AUTH}"}}}', '{"auth": "' + Buffer.from('user:' + sample('nocfg', 20, ALNUM)).toString('base64') + '"}'],
  }),
  prefixRule({ id: 'jfrog-api-key', description: 'JFrog Artifactory API key', severity: 'critical', body: 'AKCp[A-Za-z0-9]{69}', keywords: ['akcp'], sample: 'AKCp' + sample('jfrog', 69, ALNUM), name: 'ARTIFACTORY_API_KEY', gitleaks: 'jfrog-api-key', secretlint: '@secretlint/secretlint-rule-artifactory' }),
  prefixRule({ id: 'jfrog-identity-token', description: 'JFrog identity / reference token', severity: 'critical', body: 'cmVmdGtuOjAxOj[A-Za-z0-9]{50,60}', keywords: ['cmvmdgtuojaxoj'], sample: 'cmVmdGtuOjAxOjE3' + sample('jfrog-ref', 48, ALNUM), name: 'JFROG_ACCESS_TOKEN', gitleaks: 'jfrog-identity-token', secretlint: '@secretlint/secretlint-rule-artifactory' }),
  prefixRule({ id: 'crates-io-api-token', description: 'crates.io API token', severity: 'critical', body: 'cio[a-zA-Z0-9]{32}', keywords: ['cio'], sample: 'cio' + sample('crates', 32, ALNUM), name: 'CARGO_REGISTRY_TOKEN' }),
  prefixRule({ id: 'clojars-api-token', description: 'Clojars deploy token', body: 'CLOJARS_[a-z0-9]{60}', flags: 'i', keywords: ['clojars_'], sample: 'CLOJARS_' + sample('clojars', 60, LOWER_NUM), name: 'CLOJARS_PASSWORD', gitleaks: 'clojars-api-token' }),
  contextRule({ id: 'octopus-deploy-api-key', description: 'Octopus Deploy API key', ids: 'octopus', secret: 'API-[A-Z0-9]{26}', keywords: ['octopus'], sample: 'API-' + sample('octopus', 26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), name: 'OCTOPUS_API_KEY', gitleaks: 'octopus-deploy-api-key' }),
  prefixRule({ id: 'harness-api-key', description: 'Harness API key / PAT', body: '(?:pat|sat)\\.[a-zA-Z0-9_-]{22}\\.[a-zA-Z0-9]{24}\\.[a-zA-Z0-9]{20}', keywords: ['pat.', 'sat.'], sample: `pat.${sample('harness', 22, B64URL)}.${sample('harness2', 24, ALNUM)}.${sample('harness3', 20, ALNUM)}`, name: 'HARNESS_API_KEY', gitleaks: 'harness-api-key' }),
  contextRule({ id: 'maven-repository-password', description: 'Maven/Gradle repository password', ids: 'maven_?password|maven_?repo_?pass|ossrh_?password|sonatype_?password|gradle_?publish_?secret', secret: '[A-Za-z0-9+/=_.!@#%^&*-]{12,100}', keywords: ['maven_password', 'mavenpassword', 'maven_repo_pass', 'ossrh_password', 'ossrhpassword', 'sonatype_password', 'sonatypepassword', 'gradle_publish_secret'], sample: sample('maven', 24, ALNUM) + '!7', name: 'OSSRH_PASSWORD', entropy: 3.5 }),
  contextRule({ id: 'github-packages-registry-token', description: 'Registry password for ghcr.io / GitHub Packages', ids: 'ghcr_?token|ghcr_?password|cr_?pat', secret: 'gh[pso]_[A-Za-z0-9]{36}|[a-f0-9]{40}', keywords: ['ghcr_token', 'ghcrtoken', 'ghcr_password', 'cr_pat', 'crpat'], sample: sample('ghcr', 40, HEX), name: 'GHCR_TOKEN' }),
];
