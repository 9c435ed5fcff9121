/** Prints the number of rules per category (the README lists them). Run: node --import tsx packages/misconfig/scripts/rule-counts.ts */
import { CATEGORIES, RULES, ruleCounts } from '../src/index.js';

const counts = ruleCounts();
const peers = new Set(RULES.flatMap((r) => r.references.filter((ref) => /^(?:hadolint|polaris|kube-score|trivy|checkov|zizmor):/.test(ref))));
console.log('| category | rules |');
console.log('|---|---:|');
for (const c of CATEGORIES) console.log(`| ${c} | ${counts[c]} |`);
console.log(`| **total** | **${RULES.length}** |`);
console.log(`\nequivalent peer-tool ids referenced: ${peers.size}`);
