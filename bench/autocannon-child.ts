// Runs one autocannon measurement in a process of its own, so the load
// generator does not share an event loop with the server it measures.
// Reads its options as JSON from argv[2]; prints one JSON line of results.
import autocannon from 'autocannon';

interface ChildOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const result = await autocannon({
  url: options.url,
  method: 'POST',
  connections: options.connections,
  duration: options.seconds,
  body: options.body,
  headers: options.headers,
});
process.stdout.write(
  JSON.stringify({
    requestsPerSec: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  }) + '\n',
);
