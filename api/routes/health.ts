import { Router } from 'express';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { health } from '../endpoints/meta';

async function probe(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.message.slice(0, 200) : 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, health, async (_input, _req, res) => {
    const [mongodb, temporal] = await Promise.all([
      probe(() => deps.db.db.command({ ping: 1 })),
      probe(() => deps.temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const ok = mongodb === 'ok' && temporal === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'error', checks: { mongodb, temporal }, modes: deps.modes });
  });
  return router;
}
