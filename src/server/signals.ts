// Waits for the operator to stop the process (SIGTERM from systemd or
// docker, SIGINT from a terminal) and reports which signal it was.

/** waitForStopSignal resolves with the first SIGTERM or SIGINT received. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
    const onSignal = (signal: NodeJS.Signals): void => {
      for (const each of signals) process.off(each, onSignal);
      resolve(signal);
    };
    for (const each of signals) process.on(each, onSignal);
  });
}
