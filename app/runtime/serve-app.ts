import { createServer } from 'node:http';
import type { Sequelize } from 'sequelize';
import { createApp } from '../app';
import type { AppConfig } from '../config';
import { Readiness } from '../health/readiness';
import type { Logger } from '../logger';
import { serveUntilSignal, type StopSignals } from '../shutdown';
import { listen } from './listen';

/**
 * Builds the app on `sequelize`, listens on the configured port and serves
 * until the first stop signal, then drains (app/shutdown.ts). In a cluster
 * worker the primary holds the port and hands the connections over.
 */
export async function serveApp(
  config: AppConfig,
  sequelize: Sequelize,
  signals: StopSignals,
  logger: Logger,
): Promise<void> {
  const readiness = new Readiness(sequelize);
  const app = createApp({ sequelize, logger, readiness, config });
  const server = createServer(app);
  await listen(server, config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ host: config.host, port }, `listening on http://${config.host}:${port}`);
  await serveUntilSignal(server, signals, readiness, config.shutdownDelayMs, logger);
}
