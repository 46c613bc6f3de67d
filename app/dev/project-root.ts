import path from 'node:path';

/** The checkout this code runs from: where commands, tests and benchmarks start processes. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
