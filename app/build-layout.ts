import path from 'node:path';

/*
 * The same code runs two ways: as TypeScript through tsx in the checkout,
 * and compiled by `npm run build` into dist/ (dist/app, dist/migrations, ...)
 * with package.json and node_modules one level above it.
 */

/** True when this code runs compiled from dist/, false when tsx runs the TypeScript. */
export const COMPILED = path.extname(__filename) === '.js';

/** The folder holding package.json and node_modules (and .data/ by default), either way. */
export const INSTALL_ROOT = path.resolve(__dirname, COMPILED ? '../..' : '..');
