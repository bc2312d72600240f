const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Operation {
  summary?: string;
  parameters?: Array<{ name: string; in: string }>;
  responses?: Record<string, unknown>;
}

/**
 * Browsable API docs rendered from the OpenAPI document itself, with no external assets (the
 * product runs where no CDN is reachable).
 */
export function docsPage(doc: { info: { title: string; description: string }; paths: Record<string, Record<string, Operation>> }): string {
  const rows = Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const params = (op.parameters ?? []).map((p) => `<code>${escape(p.name)}</code> (${escape(p.in)})`).join(', ');
        const statuses = Object.keys(op.responses ?? {}).join(', ');
        return `<tr><td><b>${method.toUpperCase()}</b></td><td><code>${escape(path)}</code></td><td>${escape(op.summary ?? '')}${
          params ? `<br><small>${params}</small>` : ''
        }</td><td>${statuses}</td></tr>`;
      }),
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(doc.info.title)}</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}code{background:#f4f4f4;padding:0 .2rem}</style>
</head><body><h1>${escape(doc.info.title)}</h1><p>${escape(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Authenticate with the <code>authorization</code> header.</p>
<table><tr><th>Method</th><th>Path</th><th>What</th><th>Statuses</th></tr>
${rows}
</table></body></html>`;
}
