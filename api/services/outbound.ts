import { parseAllowList, type AllowList } from '../../src/net/allow-list';
import { createOutboundHttp, type OutboundHttp } from '../../src/net/outbound-http';
import { checkToolUrl } from '../../src/tools/tool-definition';
import type { ApiDeps } from '../deps';

const closed = parseAllowList('');
let fallback: { http: OutboundHttp; allowList: AllowList } | null = null;

/** The API's outbound HTTP (dynamic_data tests) and allow-list (URL checks); closed when not configured. */
export function outboundOf(deps: ApiDeps): { http: OutboundHttp; allowList: AllowList } {
  if (deps.outbound) return deps.outbound;
  fallback ??= { http: createOutboundHttp({ allowList: closed }), allowList: closed };
  return fallback;
}

/**
 * The one save-time rule for every user-chosen URL (tools, dynamic_data, webhook nodes, call and
 * batch webhooks): http(s) only, https unless allow-listed, no literal private address, never one
 * of the deployment's own services. Names that resolve to private addresses are refused when used.
 */
export function urlCheck(deps: ApiDeps): (url: unknown, label: string) => string | null {
  const ctx = { allowList: outboundOf(deps).allowList };
  return (url, label) => checkToolUrl(url, label, ctx);
}
