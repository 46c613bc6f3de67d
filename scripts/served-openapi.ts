/**
 * Prints the OpenAPI document exactly as GET /api/openapi.json serves it
 * (the app on a port of its own; no database is needed for this route), or
 * writes it to the file named as the first argument.
 *
 *   npx tsx scripts/served-openapi.ts [file]
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Sequelize } from 'sequelize';
import { createApp } from '../app/app';
import { loadConfig } from '../app/config';
import { createLogger } from '../app/logger';

export async function servedOpenApiDocument(): Promise<string> {
  // Never connected: the document route does not touch the database.
  const sequelize = new Sequelize('postgres://unused:unused@127.0.0.1:1/unused', {
    logging: false,
  });
  const app = createApp({ sequelize, logger: createLogger('silent'), config: loadConfig({}) });
  const server = app.listen(0, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
    if (!res.ok) throw new Error(`GET /api/openapi.json answered ${res.status}`);
    return JSON.stringify(await res.json(), null, 2);
  } finally {
    server.close();
    await sequelize.close();
  }
}

if (require.main === module) {
  const [, , file, ...rest] = process.argv;
  if (file === '--help' || rest.length > 0) {
    process.stdout.write(
      'Usage: npx tsx scripts/served-openapi.ts [file]\nPrints the served OpenAPI document, or writes it to file.\n',
    );
    process.exit(file === '--help' ? 0 : 2);
  }
  servedOpenApiDocument().then(
    (text) => {
      if (file) fs.writeFileSync(file, `${text}\n`);
      else process.stdout.write(`${text}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`served-openapi: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
