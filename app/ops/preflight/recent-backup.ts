import type { CheckResult } from '../check-report';
import { databaseIdentity, listBackups } from '../backup/manifest';

/**
 * The preflight line for backups: a finished backup of `tables` taken from
 * this database within `maxAgeHours`, found in the manifests under `root`.
 */
export function checkRecentBackup(
  url: string,
  root: string,
  tables: readonly string[],
  maxAgeHours: number,
  now = new Date(),
): CheckResult {
  const name = 'recent backup';
  const identity = databaseIdentity(url);
  const mine = listBackups(root).filter(
    ({ manifest }) =>
      manifest.database === identity &&
      tables.every((table) => manifest.tables.some((t) => t.table === table)),
  );
  const newest = mine[0];
  const hint = `take one with: npm run db:backup (it writes under ${root})`;
  if (!newest) {
    return { name, status: 'fail', summary: `no backup of ${identity} under ${root}; ${hint}` };
  }
  const ageHours = (now.getTime() - Date.parse(newest.manifest.createdAt)) / 3_600_000;
  const rows = newest.manifest.tables.reduce((sum, t) => sum + t.rows, 0);
  const summary = `${newest.dir} (${rows} rows, taken ${ageHours.toFixed(1)} h ago)`;
  if (ageHours > maxAgeHours) {
    return {
      name,
      status: 'fail',
      summary: `the newest backup is older than ${maxAgeHours} h: ${summary}; ${hint}`,
    };
  }
  return { name, status: 'ok', summary };
}
