import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OPENAPI_DOCUMENT } from './openapi.js';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** FastAPI's page: Swagger UI reading /openapi.json, its assets served from the installed swagger-ui-dist. */
const DOCS_HTML = `<!DOCTYPE html>
<html>
<head>
<link type="text/css" rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="shortcut icon" href="/docs/favicon-32x32.png">
<title>MooVitamix - Swagger UI</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>
const ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
</script>
</body>
</html>
`;

/** `/` redirects to `/docs`, as in the original; the OpenAPI document at `/openapi.json`. */
@Controller()
export class DocsController {
  private readonly documentJson = JSON.stringify(OPENAPI_DOCUMENT);
  private readonly assets = new Map<string, Buffer>();

  @Get()
  root(@Res() reply: FastifyReply): FastifyReply {
    return reply.redirect('/docs', 307);
  }

  @Get('docs')
  docs(@Res() reply: FastifyReply): FastifyReply {
    return reply.type('text/html; charset=utf-8').send(DOCS_HTML);
  }

  @Get('openapi.json')
  openapi(@Res() reply: FastifyReply): FastifyReply {
    return reply.type('application/json').send(this.documentJson);
  }

  @Get('docs/:asset')
  async asset(@Param('asset') name: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const type = ASSETS[name];
    if (!type) throw new NotFoundException();
    let body = this.assets.get(name);
    if (!body) {
      body = await readFile(join(swaggerUiDir(), name));
      this.assets.set(name, body);
    }
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  }
}

/** swagger-ui-dist as @nestjs/swagger (a dependency of ours) resolves it. */
function swaggerUiDir(): string {
  const fromSwagger = createRequire(createRequire(import.meta.url).resolve('@nestjs/swagger'));
  return (fromSwagger('swagger-ui-dist/absolute-path.js') as () => string)();
}
