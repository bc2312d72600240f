import type { Config } from '../config';
import type { Endpoints } from '../services';
import type { ReservedEndpoint } from './allow-list';

function fromUrl(text: string): ReservedEndpoint | null {
  try {
    const url = new URL(text);
    const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
    return { host: url.hostname, port };
  } catch {
    return null;
  }
}

/** `host:port` of a Temporal address; IPv6 in brackets. */
function fromAddress(address: string): ReservedEndpoint | null {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address.trim());
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

/** Every host:port of a mongodb:// URI (a replica set lists several); SRV records name no port. */
function fromMongoUri(uri: string): ReservedEndpoint[] {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^/?]+)/.exec(uri);
  if (!m) return [];
  return m[1]!.split(',').map((h) => fromAddress(h.includes(':') && !h.endsWith(']') ? h : `${h}:27017`)).filter((e) => e !== null);
}

/**
 * The deployment's own services, which no user-chosen URL may reach whatever OUTBOUND_ALLOWLIST
 * says: Temporal and its UI, the store, the carrier simulator, the offline model and the API itself.
 */
export function ownServices(config: Config, endpoints: Endpoints): ReservedEndpoint[] {
  const list: Array<ReservedEndpoint | null> = [
    fromAddress(endpoints.temporalAddress),
    { host: config.http.host, port: config.http.port },
    fromUrl(endpoints.simulatorUrl),
    fromUrl(endpoints.offlineModelUrl),
    ...fromMongoUri(endpoints.mongoUri),
  ];
  if (!config.temporal.address) list.push({ host: '127.0.0.1', port: config.temporal.uiPort });
  return list.filter((e): e is ReservedEndpoint => e !== null && e.port > 0);
}
