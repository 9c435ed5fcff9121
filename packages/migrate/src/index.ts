export { generateMigration } from './generate.js';
export type { MigrateOptionsInput } from './generate.js';
export type { ReadFile } from './dockerfile-new.js';
export { createBundle } from './bundle.js';
export {
  MigrationPlanSchema,
  PlannedServiceSchema,
  PlannedOutputSchema,
  OutputKindSchema,
  type MigrationPlan,
  type MigrationResult,
  type PlannedOutput,
  type PlannedService,
  type OutputKind,
} from './plan.js';
export { buildPatch, fileDiff, type FileChange } from './patch.js';
export { patchDockerfile, parseDockerfile, toExecForm, healthcheckFor, DOCKERFILE_FIX_KINDS } from './dockerfile.js';
export { newDockerfile, dockerignore } from './dockerfile-new.js';
export { renderChart, mergeValues } from './gitops.js';
export { renderTemplates } from './template.js';
export { lintChart } from './helm-lint.js';
export { isSecretEnv, isSecretEnvName, SECRET_NAME_RULES } from './env.js';
export { ACTION_PINS, BASE_IMAGE_PINS } from './pins.js';
