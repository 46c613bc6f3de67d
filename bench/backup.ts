// db:backup and db:restore at size: how long a backup of every table takes
// before the migration, and how long a restore into an empty database
// (migrated to the backup's schema first, then loaded and verified) takes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBackup } from '../app/ops/backup/create-backup';
import { restoreBackup } from '../app/ops/backup/restore-backup';
import { startBenchServer } from './support/bench-server';
import { createPreAuditDatabase } from './support/datasets';
import { duration, envInt, machineLine, msSince, printTable } from './support/report';

async function main(): Promise<void> {
  const rows = envInt('BENCH_ROWS', 1_000_000);
  const server = await startBenchServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-bench-backup-'));
  try {
    console.log(`## Backup and restore, ${rows} rows per table\n`);
    console.error(`generating ${rows} rows per table...`);
    await createPreAuditDatabase(server, 'bench_backup_source', rows);
    await server.admin('DROP DATABASE IF EXISTS bench_backup_target WITH (FORCE)');
    await server.admin('CREATE DATABASE bench_backup_target');

    let started = process.hrtime.bigint();
    const manifest = await createBackup(server.url('bench_backup_source'), {
      dir: path.join(dir, 'b'),
    });
    const backupMs = msSince(started);
    started = process.hrtime.bigint();
    const log = (line: string) =>
      console.error(`  ${msSince(started).toFixed(0).padStart(6)} ms  ${line}`);
    await restoreBackup(server.url('bench_backup_target'), { dir: path.join(dir, 'b'), log });
    const restoreMs = msSince(started);

    const total = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
    const bytes = manifest.tables.reduce((sum, t) => sum + t.bytes, 0);
    printTable(
      ['step', 'rows', 'MB', 'took', 'rows/s'],
      [
        [
          'db:backup',
          total,
          (bytes / 2 ** 20).toFixed(0),
          duration(backupMs),
          Math.round(total / (backupMs / 1000)),
        ],
        [
          'db:restore (load + verify)',
          total,
          (bytes / 2 ** 20).toFixed(0),
          duration(restoreMs),
          Math.round(total / (restoreMs / 1000)),
        ],
      ],
    );
    console.log(machineLine(server.version));
    await server.admin('DROP DATABASE IF EXISTS bench_backup_target WITH (FORCE)');
    await server.admin('DROP DATABASE IF EXISTS bench_backup_source WITH (FORCE)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
