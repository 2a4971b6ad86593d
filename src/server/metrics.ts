// The Prometheus metrics the server exports: requests by route and status,
// their latency, the seal state, unseal failures and key worker round
// trips. Labels are route templates and op names, never request values.
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';

import type { OpName, SealState } from '../keyworker/index.js';
import { SEAL_STATES } from '../keyworker/index.js';

/** Metrics holds one registry and the server's instruments in it. */
export class Metrics {
  /** registry is what GET /v1/metrics renders. */
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #latency: Histogram<'method' | 'route'>;
  readonly #sealState: Gauge<'state'>;
  readonly #unsealFailures: Counter;
  readonly #roundTrips: Histogram<'op' | 'outcome'>;

  constructor() {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'metacrypt_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'metacrypt_http_request_duration_seconds',
      help: 'Time from request to reply, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.#sealState = new Gauge({
      name: 'metacrypt_seal_state',
      help: '1 for the current seal state, 0 for the others.',
      labelNames: ['state'],
      registers,
    });
    this.#unsealFailures = new Counter({
      name: 'metacrypt_unseal_failures_total',
      help: 'Unseal attempts refused for a wrong password or a lockout.',
      registers,
    });
    this.#roundTrips = new Histogram({
      name: 'metacrypt_key_worker_round_trip_seconds',
      help: 'Time from a call to the key worker to its answer, by op.',
      labelNames: ['op', 'outcome'],
      buckets: [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5,
      ],
      registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'metacrypt_' });
    this.sealState('sealed');
  }

  /** request records one answered request. */
  request(
    method: string,
    route: string,
    status: number,
    seconds: number,
  ): void {
    this.#requests.inc({ method, route, status: String(status) });
    this.#latency.observe({ method, route }, seconds);
  }

  /** sealState records the seal state now in effect. */
  sealState(state: SealState): void {
    for (const each of SEAL_STATES) {
      this.#sealState.set({ state: each }, each === state ? 1 : 0);
    }
  }

  /** unsealFailure counts one refused unseal. */
  unsealFailure(): void {
    this.#unsealFailures.inc();
  }

  /** roundTrip records one call to the key worker. */
  roundTrip(op: OpName, seconds: number, ok: boolean): void {
    this.#roundTrips.observe({ op, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  /**
   * trackAuthCache exports the authenticator's token cache hits and
   * misses, read at each scrape.
   */
  trackAuthCache(source: {
    readonly cacheHits: number;
    readonly cacheMisses: number;
  }): void {
    new Counter({
      name: 'metacrypt_auth_cache_requests_total',
      help: 'Token authentications, by whether the cache answered.',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect(): void {
        this.reset();
        this.inc({ outcome: 'hit' }, source.cacheHits);
        this.inc({ outcome: 'miss' }, source.cacheMisses);
      },
    });
  }

  /** render returns the text exposition format and its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    return {
      body: await this.registry.metrics(),
      contentType: this.registry.contentType,
    };
  }
}
