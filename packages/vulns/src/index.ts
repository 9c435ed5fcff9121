export * from './types.js';
export * from './parsers/index.js';
export * from './versions/index.js';
export type { OsvAdvisory, OsvAffected, OsvRange, OsvEvent, OsvSeverity } from './osv.js';
export { isOsvAdvisory } from './osv.js';
export { cvss3BaseScore, severityFromScore, severityFromLabel } from './cvss.js';
export {
  AdvisoryDatabase,
  DEFAULT_OSV_DB_DIR,
  resolveOsvDbDir,
  loadOsvDirectory,
  loadOsvZip,
  OsvApiClient,
  type DatabaseDescription,
  type OsvApiClientOptions,
} from './database.js';
export { matchAdvisory, chooseFixedVersion, type AdvisoryHit } from './match.js';
export { matchPackages, buildFinding, groupByAlias, advisorySeverity, SCANNER_NAME, type CvssInfo } from './findings.js';
export { createVulnScanner, mergeDirectoryPackages, VULN_SCANNER_VERSION, type VulnScannerOptions } from './scanner.js';
export { buildCycloneDx, purlOf, type SbomSubject } from './sbom.js';
