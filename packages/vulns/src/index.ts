export * from './types.js';
export * from './parsers/index.js';
export * from './versions/index.js';
