import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

const git = (args: string[]) =>
  execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();

/** The commit just before the one that added `file`: the project as it was without it. */
export function commitBefore(file: string): string {
  const added = git(['log', '--diff-filter=A', '--format=%H', '-1', '--', file]);
  if (!added) throw new Error(`no commit adds ${file}`);
  return git(['rev-parse', `${added}^`]);
}

/**
 * The project's files at `commit` in a temporary folder (git archive, no
 * worktree), sharing this checkout's node_modules; remove it with `dispose`.
 */
export function checkoutAt(commit: string): { root: string; dispose(): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-bench-checkout-'));
  execFileSync('sh', ['-c', `git archive --format=tar "${commit}" | tar -x -C "${root}"`], {
    cwd: PROJECT_ROOT,
  });
  fs.symlinkSync(
    fs.realpathSync(path.join(PROJECT_ROOT, 'node_modules')),
    path.join(root, 'node_modules'),
  );
  return { root, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
}
