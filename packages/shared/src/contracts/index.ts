export * from './finding.js';
export * from './scanner.js';
export * from './audit.js';
export * from './whis.js';
export * from './artifacts.js';
export * from './queues.js';
