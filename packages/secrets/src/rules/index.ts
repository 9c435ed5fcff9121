import type { SecretRule } from '../types.js';
import { aiRules } from './ai.js';
import { chatRules } from './chat.js';
import { cloudRules } from './cloud.js';
import { privateKeyRules } from './keys.js';
import { messagingRules } from './messaging.js';
import { connectionRules, genericRules, jwtRules, kubernetesRules } from './misc.js';
import { observabilityRules } from './observability.js';
import { paymentRules } from './payments.js';
import { registryRules } from './registries.js';
import { saasRules } from './saas.js';
import { vcsRules } from './vcs.js';

/**
 * Every rule, in priority order: when two rules claim overlapping text, the earlier one wins. Prefix-anchored
 * provider tokens and keys come first, context-based provider rules next, generic rules last.
 */
export const SECRET_RULES: readonly SecretRule[] = [
  ...privateKeyRules,
  ...cloudRules,
  ...vcsRules,
  ...chatRules,
  ...paymentRules,
  ...messagingRules,
  ...registryRules,
  ...aiRules,
  ...observabilityRules,
  ...saasRules,
  ...connectionRules,
  ...kubernetesRules,
  ...jwtRules,
  ...genericRules,
];
