// Catches SIGINT and SIGTERM for the whole life of `metacrypt dev`: the
// first one asks it to stop, and any more while it stops are absorbed.

/** StopSignals is the first stop signal, and the hold on later ones. */
export interface StopSignals {
  /** first resolves with the first SIGINT or SIGTERM received. */
  readonly first: Promise<NodeJS.Signals>;
  /** received is that signal once it has come, else undefined. */
  readonly received: NodeJS.Signals | undefined;
  /** release restores the default handling (exit on a signal). */
  release(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * catchStopSignals starts listening at once, so a Ctrl-C that comes
 * while the server is still starting is not lost, and keeps listening
 * after the first signal until released. One Ctrl-C often arrives more
 * than once: the terminal sends it to the whole process group (npm,
 * bin/start.js and this process), and the wrappers forward it again. A
 * second delivery must not kill the process half way through sealing
 * and deleting its data directory.
 */
export function catchStopSignals(): StopSignals {
  let received: NodeJS.Signals | undefined;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) return;
    received = signal;
    resolveFirst(signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);

  return {
    first,
    get received(): NodeJS.Signals | undefined {
      return received;
    },
    release(): void {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}
