import cluster, { type Worker } from 'node:cluster';
import {
  AggregatorRegistry,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client';

/*
 * /metrics with several workers: the worker that gets the scrape asks the
 * primary, which asks every serving worker for its metrics (prom-client's
 * own request message, answered by its AggregatorRegistry listener in each
 * worker), sums them with prom-client's aggregators and answers with the
 * text, its own metrics (gma_cluster_*) appended.
 */

const SCRAPE_REQUEST = 'gma:metrics-request';
const SCRAPE_RESPONSE = 'gma:metrics-response';
// prom-client's protocol between an AggregatorRegistry and its workers (lib/cluster.js).
const WORKER_METRICS_REQUEST = 'prom-client:getMetricsReq';
const WORKER_METRICS_RESPONSE = 'prom-client:getMetricsRes';

/** How long the primary waits for the workers' metrics; a worker that dies meanwhile is left out. */
export const WORKER_METRICS_TIMEOUT_MS = 3_000;
/** How long a worker waits for the primary's answer to a scrape. */
const SCRAPE_TIMEOUT_MS = 10_000;

type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

interface Message {
  type?: unknown;
  requestId?: unknown;
  id?: unknown;
  text?: unknown;
  error?: unknown;
  metrics?: unknown;
}

const asMessage = (value: unknown): Message =>
  value && typeof value === 'object' ? (value as Message) : {};

/** In a worker: answer the primary's requests with these registries' metrics. */
export function offerToPrimary(registries: Registry[]): void {
  AggregatorRegistry.setRegistries(registries);
  // Constructing one adds prom-client's worker listener (once per process).
  new AggregatorRegistry();
}

let nextScrape = 0;
const scrapes = new Map<number, (message: Message) => void>();

/** In a worker: the metrics of every worker, summed, as the primary gives them. */
export function scrapeCluster(): Promise<string> {
  listenForAnswers();
  const id = nextScrape++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      scrapes.delete(id);
      reject(new Error(`the primary did not answer a metrics scrape in ${SCRAPE_TIMEOUT_MS} ms`));
    }, SCRAPE_TIMEOUT_MS);
    scrapes.set(id, (message) => {
      clearTimeout(timer);
      scrapes.delete(id);
      if (typeof message.text === 'string') resolve(message.text);
      else reject(new Error(`metrics scrape failed in the primary: ${String(message.error)}`));
    });
    process.send!({ type: SCRAPE_REQUEST, id });
  });
}

let listening = false;
function listenForAnswers(): void {
  if (listening) return;
  listening = true;
  process.on('message', (value: unknown) => {
    const message = asMessage(value);
    if (message.type === SCRAPE_RESPONSE && typeof message.id === 'number') {
      scrapes.get(message.id)?.(message);
    }
  });
}

interface Gathering {
  responses: WorkerMetrics[];
  waiting: Set<number>;
  finish(): void;
}

/**
 * In the primary: answers the workers' scrapes with the aggregate of the
 * workers `serving()` names (a worker still starting has no app to ask)
 * and `own`, the primary's registry.
 */
export class ClusterMetrics {
  private nextRequest = 0;
  private readonly gatherings = new Map<number, Gathering>();

  constructor(
    private readonly own: Registry,
    private readonly serving: () => Worker[],
  ) {
    cluster.on('message', (worker, value: unknown) => this.onMessage(worker, asMessage(value)));
    cluster.on('exit', (worker) => {
      for (const gathering of this.gatherings.values()) {
        if (gathering.waiting.delete(worker.id) && gathering.waiting.size === 0) gathering.finish();
      }
    });
  }

  /** The aggregated metrics of the serving workers, then the primary's own. */
  async text(): Promise<string> {
    const responses = await this.gather();
    const aggregated = AggregatorRegistry.aggregate(responses);
    return `${await aggregated.metrics()}${await this.own.metrics()}`;
  }

  private gather(): Promise<WorkerMetrics[]> {
    const requestId = this.nextRequest++;
    const workers = this.serving().filter((worker) => worker.isConnected());
    return new Promise((resolve) => {
      const gathering: Gathering = {
        responses: [],
        waiting: new Set(workers.map((worker) => worker.id)),
        finish: () => {
          clearTimeout(timer);
          this.gatherings.delete(requestId);
          resolve(gathering.responses);
        },
      };
      const timer = setTimeout(gathering.finish, WORKER_METRICS_TIMEOUT_MS);
      this.gatherings.set(requestId, gathering);
      for (const worker of workers) worker.send({ type: WORKER_METRICS_REQUEST, requestId });
      if (workers.length === 0) gathering.finish();
    });
  }

  private onMessage(worker: Worker, message: Message): void {
    if (message.type === SCRAPE_REQUEST) {
      this.text().then(
        (text) =>
          worker.isConnected() && worker.send({ type: SCRAPE_RESPONSE, id: message.id, text }),
        (error: unknown) =>
          worker.isConnected() &&
          worker.send({ type: SCRAPE_RESPONSE, id: message.id, error: (error as Error).message }),
      );
      return;
    }
    if (message.type !== WORKER_METRICS_RESPONSE || typeof message.requestId !== 'number') return;
    const gathering = this.gatherings.get(message.requestId);
    if (!gathering || !gathering.waiting.delete(worker.id)) return;
    if (Array.isArray(message.metrics))
      gathering.responses.push(...(message.metrics as WorkerMetrics[]));
    if (gathering.waiting.size === 0) gathering.finish();
  }
}
