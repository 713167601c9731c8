import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { openApiDocument } from './document';
import { sendRaw } from '../proxy/http';
import { gatewayConfig, type GatewayConfig } from '../config';

/**
 * The interactive API reference at /api, served by Portico itself from the npm `swagger-ui-dist` files
 * (no CDN: hospital networks often cannot reach one), and the OpenAPI document at /api/openapi.json.
 */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'BaseLayout',
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portico API reference</title>
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<style>body{margin:0;font-family:system-ui,sans-serif}.portico-bar{padding:12px 20px;background:#1c479b;color:#fff;display:flex;gap:16px;align-items:center}.portico-bar a{color:#d9eaff}</style>
</head>
<body>
<div class="portico-bar"><strong>Portico API reference</strong><span>Authorize with your app's key (the <code>api-key</code> header), then "Try it out".</span><a href="/">Portal</a><a href="/api/openapi.json">openapi.json</a></div>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";
const dir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const cache = new Map<string, Buffer>();
const docJson = new WeakMap<GatewayConfig, Buffer>();

export function isDocsPath(p: string): boolean {
  return p === '/api' || p === '/api/' || p === '/api/openapi.json' || p.startsWith('/api/docs/');
}

export function handleDocs(_req: IncomingMessage, res: ServerResponse, p: string): void {
  const headers = {
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cache-control': 'public, max-age=300',
  };
  if (p === '/api' || p === '/api/')
    return sendRaw(res, 200, Buffer.from(PAGE), 'text/html; charset=utf-8', headers);
  if (p === '/api/openapi.json') {
    const cfg = gatewayConfig();
    let json = docJson.get(cfg);
    if (!json) docJson.set(cfg, (json = Buffer.from(JSON.stringify(openApiDocument(cfg), null, 2))));
    return sendRaw(res, 200, json, 'application/json', headers);
  }
  const name = p.slice('/api/docs/'.length);
  if (name === 'init.js')
    return sendRaw(res, 200, Buffer.from(INIT), 'text/javascript; charset=utf-8', headers);
  const type = ASSETS[name];
  if (!type) return sendRaw(res, 404, Buffer.from('Not found'), 'text/plain', headers);
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(path.join(dir, name));
    cache.set(name, body);
  }
  sendRaw(res, 200, body, type, { ...headers, 'cache-control': 'public, max-age=86400' });
}
