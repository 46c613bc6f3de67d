import path from 'node:path';
import { loadConfig } from '../../config';

/** Where backups go unless told otherwise: `<GMA_DATA_DIR>/backups`. */
export function defaultBackupRoot(): string {
  return path.join(loadConfig().dataDir, 'backups');
}

/** A new folder name for a backup taken now, sortable by time. */
export function timestampedFolder(root: string, now = new Date()): string {
  return path.join(root, now.toISOString().replace(/[:.]/g, '-'));
}
