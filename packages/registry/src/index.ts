export * from './errors.js';
export { assertValidId, isValidId, assertValidVersion, assertValidFileName } from './ids.js';
export { etagFor, etagMatches, contentDigest, bareDigest } from './etag.js';
export { writeFileAtomic } from './fsatomic.js';
export * from './store.js';
export * from './search.js';
export * from './feedback.js';
