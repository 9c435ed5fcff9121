export { main, USAGE } from './main.js';
export { shouldFail, renderTable } from './audit.js';
