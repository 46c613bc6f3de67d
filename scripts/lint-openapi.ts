/**
 * Lints the served OpenAPI document with Redocly's recommended rules; exits
 * non-zero on any error (warnings are printed, not fatal).
 *
 *   npm run lint:openapi
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { servedOpenApiDocument } from './served-openapi';

async function main(): Promise<number> {
  if (process.argv.length > 2) {
    process.stdout.write(
      'Usage: npm run lint:openapi\nLints the served OpenAPI document (redocly lint, recommended rules).\n',
    );
    return process.argv[2] === '--help' ? 0 : 2;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-openapi-'));
  const file = path.join(dir, 'openapi.json');
  try {
    fs.writeFileSync(file, await servedOpenApiDocument());
    const redocly = path.resolve(__dirname, '..', 'node_modules', '.bin', 'redocly');
    const result = spawnSync(redocly, ['lint', '--extends=recommended', file], {
      stdio: 'inherit',
      // No usage report or update check: CI has no network beyond the registries.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    return result.status ?? 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`lint:openapi: ${String(error)}\n`);
    process.exit(1);
  },
);
