import cluster from 'node:cluster';
import { loadConfig } from './config';
import { runMain } from './cli/run-main';
import { runPrimary } from './runtime/primary';
import { runSingleProcess } from './runtime/single-process';
import { runWorker } from './runtime/worker';

/*
 * The server: with WEB_CONCURRENCY=1 (the default outside production) one
 * process; with more, a cluster primary that forks that many workers, each
 * of which runs this file again (docs/deploy.md, "Workers").
 */
runMain('gma', async () => {
  const config = loadConfig();
  if (cluster.isWorker) return runWorker(config);
  if (config.webConcurrency > 1) return runPrimary(config);
  return runSingleProcess(config);
});
