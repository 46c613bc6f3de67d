import cluster, { type Worker } from 'node:cluster';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logger';
import { OperatorError } from '../operator-error';
import { RestartBackoff } from './restart-backoff';
import { STOP_NOW_MESSAGE } from './worker-signals';

/** A worker stopped before every worker had started: the server cannot serve as configured. */
export class WorkerStartError extends OperatorError {
  override readonly name = 'WorkerStartError';
}

export interface WorkerPoolOptions {
  readonly count: number;
  /** Added to each worker's environment. */
  readonly env: Record<string, string>;
  readonly logger: Logger;
  /** The primary's registry: gma_cluster_* metrics go there. */
  readonly registry: Registry;
  /** How long a worker may take to drain after SIGTERM before it is killed. */
  readonly stopTimeoutMs: number;
}

/**
 * The primary's workers: forks `count`, replaces any that dies (after a
 * RestartBackoff wait) until stop(), and stops them all gracefully.
 */
export class WorkerPool {
  /** Forked and not exited yet. */
  private readonly alive = new Set<Worker>();
  private readonly serving = new Set<Worker>();
  private readonly gauge: Gauge;
  private readonly startedAt = new Map<Worker, number>();
  private readonly backoff = new RestartBackoff();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly restarts: Counter;
  private started = false;
  private stopping = false;
  private failedExit = false;
  private onAllExited: () => void = () => {};
  private onStartFailure: (error: Error) => void = () => {};

  constructor(private readonly options: WorkerPoolOptions) {
    this.gauge = new Gauge({
      name: 'gma_cluster_workers',
      help: 'HTTP worker processes serving now (listening)',
      registers: [options.registry],
    });
    this.gauge.set(0);
    new Gauge({
      name: 'gma_cluster_workers_configured',
      help: 'HTTP worker processes the primary keeps running (WEB_CONCURRENCY)',
      registers: [options.registry],
    }).set(options.count);
    this.restarts = new Counter({
      name: 'gma_cluster_worker_restarts_total',
      help: 'Workers the primary replaced after one died',
      registers: [options.registry],
    });
    cluster.on('listening', (worker) => this.onListening(worker));
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
  }

  /** The workers serving now. */
  servingWorkers(): Worker[] {
    return [...this.serving];
  }

  /** Forks the workers; resolves once each listens, rejects if one dies first. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onStartFailure = reject;
      const ready = () => {
        if (this.serving.size === this.options.count) {
          this.started = true;
          cluster.off('listening', ready);
          resolve();
        }
      };
      cluster.on('listening', ready);
      for (let i = 0; i < this.options.count; i++) this.fork();
    });
  }

  /** SIGTERM to every worker (each drains), then resolves once all have exited; true if all exited 0. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    const allExited = new Promise<void>((resolve) => (this.onAllExited = resolve));
    if (this.alive.size === 0) this.onAllExited();
    for (const worker of this.alive) worker.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      this.options.logger.warn('workers still running after the stop timeout: killing them');
      for (const worker of this.alive) worker.process.kill('SIGKILL');
    }, this.options.stopTimeoutMs);
    killer.unref();
    await allExited;
    clearTimeout(killer);
    return !this.failedExit;
  }

  /** A second stop signal: every worker closes its connections now. */
  stopNow(): void {
    for (const worker of this.alive) if (worker.isConnected()) worker.send(STOP_NOW_MESSAGE);
  }

  private fork(): void {
    const worker = cluster.fork(this.options.env);
    this.alive.add(worker);
    this.startedAt.set(worker, Date.now());
    this.options.logger.info({ worker: worker.id, workerPid: worker.process.pid }, 'worker forked');
  }

  private onListening(worker: Worker): void {
    this.serving.add(worker);
    this.gauge.set(this.serving.size);
    this.options.logger.info(
      { worker: worker.id, workerPid: worker.process.pid },
      'worker serving',
    );
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    this.alive.delete(worker);
    this.serving.delete(worker);
    this.gauge.set(this.serving.size);
    const uptimeMs = Date.now() - (this.startedAt.get(worker) ?? Date.now());
    this.startedAt.delete(worker);
    const details = { worker: worker.id, workerPid: worker.process.pid, code, signal, uptimeMs };
    if (this.stopping) {
      if (code !== 0) this.failedExit = true;
      this.options.logger.info(details, 'worker stopped');
      if (this.alive.size === 0) this.onAllExited();
      return;
    }
    if (!this.started) {
      this.onStartFailure(
        new WorkerStartError(
          `worker ${worker.id} stopped during start-up (exit ${code ?? signal}); see its message above`,
        ),
      );
      return;
    }
    const delayMs = this.backoff.delayAfter(uptimeMs);
    this.options.logger.warn({ ...details, restartInMs: delayMs }, 'worker died; replacing it');
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      this.restarts.inc();
      this.fork();
    }, delayMs);
    this.restartTimers.add(timer);
  }
}
