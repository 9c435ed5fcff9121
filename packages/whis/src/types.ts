import type { TrainingRecord } from '@linkops/shared/contracts';

export type RecordSource = TrainingRecord['source'];
