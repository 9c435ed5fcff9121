export { LinkOpsClient } from './client.js';
export type {
  LinkOpsClientOptions,
  ListParams,
  SearchFilters,
  ArtifactFile,
  SyncOptions,
  SyncResult,
  AuditOptions,
  AuditOutcome,
  SubmissionInput,
  ReportFormat,
} from './client.js';
export { LinkOpsHttpError } from './errors.js';
export * from './schemas.js';
