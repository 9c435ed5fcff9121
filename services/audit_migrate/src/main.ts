import { runService } from '@linkops/shared';
import { service } from './service.js';

await runService(service);
