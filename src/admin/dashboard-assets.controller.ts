import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Controller, Get, Header, NotFoundException, Param, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminGuard } from '../auth/admin.guard.js';
import { DASHBOARD_SCRIPT } from './dashboard-client.js';
import { DASHBOARD_CSS } from './dashboard-style.js';

const require = createRequire(import.meta.url);

interface Asset {
  type: string;
  body: string;
}

/**
 * The page's static files, from this process only (the page works with no internet): uPlot's
 * build, read once from its npm package, and the dashboard's own script and stylesheet.
 */
export function dashboardAssets(): Record<string, Asset> {
  const uplot = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  return {
    'uplot.js': { type: 'text/javascript; charset=utf-8', body: uplot('uPlot.iife.min.js') },
    'uplot.css': { type: 'text/css; charset=utf-8', body: uplot('uPlot.min.css') },
    'dashboard.js': { type: 'text/javascript; charset=utf-8', body: DASHBOARD_SCRIPT },
    'dashboard.css': { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
  };
}

@ApiExcludeController()
@Controller('admin/assets')
@UseGuards(AdminGuard)
export class DashboardAssetsController {
  private readonly assets = dashboardAssets();

  @Get(':name')
  @Header('Cache-Control', 'private, max-age=300')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    const a = Object.hasOwn(this.assets, name) ? this.assets[name] : undefined;
    if (!a) throw new NotFoundException(`no dashboard asset ${name}`);
    void reply.header('Content-Type', a.type);
    return a.body;
  }
}
