// Preloaded into the bench's worker process (`--import`) when BENCH_LOOP_DELAY_FILE is set: how late
// its main thread's event loop ran, which every activation, activity and poll of the Temporal SDK
// passes through. Every second it writes the whole run's p50, p99 and max (ms) and the seconds whose
// worst delay was over 1 s, so the bench can read them while the worker still runs. Plain JavaScript:
// the SDK's workflow thread inherits the process's `--import`s, without tsx's loader; only the main
// thread measures.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';
import { isMainThread } from 'node:worker_threads';

const file = process.env.BENCH_LOOP_DELAY_FILE;
if (file && isMainThread) {
  const whole = monitorEventLoopDelay({ resolution: 10 });
  const second = monitorEventLoopDelay({ resolution: 10 });
  whole.enable();
  second.enable();
  let secondsOver1s = 0;
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  setInterval(() => {
    if (second.max > 1e9) secondsOver1s += 1;
    second.reset();
    writeFileSync(file, JSON.stringify({ p50Ms: ms(whole.percentile(50)), p99Ms: ms(whole.percentile(99)), maxMs: ms(whole.max), secondsOver1s }));
  }, 1000).unref();
}
