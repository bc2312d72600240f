import type { Config } from '../config';
import { getFreePort } from './readiness';

/**
 * `PORT=0` asks for any free port. The API's own URL (the carrier's webhook base when
 * PUBLIC_BASE_URL is unset, and one of the addresses outbound requests may not reach) is built
 * from the port, so the port is chosen here, before anything is built from config.
 */
export async function withConcreteApiPort(config: Config): Promise<Config> {
  if (config.http.port !== 0) return config;
  return { ...config, http: { ...config.http, port: await getFreePort(config.http.host) } };
}
