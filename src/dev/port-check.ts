// Tells, before anything is started, whether `metacrypt dev` can have its
// port, so a port in use fails at once with one line and nothing to undo.
import { createServer } from 'node:net';

import { errnoCode, errnoReason, ServerError } from '../errors/index.js';

/**
 * checkPortFree binds host:port for a moment and lets it go. It throws a
 * ServerError (`server_listen`) naming the address and what to do when
 * the port cannot be had. Port 0 always passes. The vault's own listen
 * still reports a port taken in between, with the server's message.
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (err) {
    const hint =
      errnoCode(err) === 'EADDRINUSE'
        ? ' (is another server running? choose a port with --port, ' +
          'or --port 0 for any free one)'
        : '';
    throw new ServerError(
      'server_listen',
      `listen ${host}:${port}: ${errnoReason(err) ?? 'failed'}${hint}`,
      { cause: err },
    );
  }
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve();
    });
  });
}
