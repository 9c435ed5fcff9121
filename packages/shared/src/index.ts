export * from './contracts/index.js';
export * from './queues.js';
export * from './services.js';
