import { runningChildren } from '../../src/infra/child-process';

/** The lifecycle every stack-backed benchmark shares: progress lines, signals, teardown, exit. */

export const progress = (msg: string) => process.stderr.write(`· ${msg}\n`);

/** Ctrl-C or a kill still stops the stack's servers. */
export function stopOnSignal(stack: { stop(): Promise<void> }): void {
  const onSignal = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** Stops the stack and says if any child process outlived it. */
export async function stopStack(stack: { stop(): Promise<void> }): Promise<void> {
  await stack.stop();
  const left = runningChildren();
  if (left.length > 0) process.stderr.write(`bench: child processes still running: ${left.map((c) => `${c.name} ${c.pid}`).join(', ')}\n`);
}

/** Exits explicitly: the Temporal native runtime can hold the event loop open after its workers stop. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
