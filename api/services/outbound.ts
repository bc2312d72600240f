import { parseAllowList, type AllowList } from '../../src/net/allow-list';
import { createOutboundHttp, type OutboundHttp } from '../../src/net/outbound-http';
import type { ApiDeps } from '../deps';

const closed = parseAllowList('');
let fallback: { http: OutboundHttp; allowList: AllowList } | null = null;

/** The API's outbound HTTP (dynamic_data tests) and allow-list (URL checks); closed when not configured. */
export function outboundOf(deps: ApiDeps): { http: OutboundHttp; allowList: AllowList } {
  if (deps.outbound) return deps.outbound;
  fallback ??= { http: createOutboundHttp({ allowList: closed }), allowList: closed };
  return fallback;
}
