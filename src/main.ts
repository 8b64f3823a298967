import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createMockApiApp, createPipelineApp, installShutdown } from './bootstrap.js';
import { ConfigError, describeConfig, loadConfig } from './config/load-config.js';
import type { Settings } from './config/settings.js';
import { createLogger } from './logging/logger.js';
import { roleParts, runsPipeline } from './roles.js';

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', context: 'Config', message: 'invalid configuration', problems: err.problems })}\n`,
      );
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(settings.LOG_LEVEL);
  const parts = roleParts(settings.APP_ROLE);
  logger.log('starting', { context: 'Main', role: settings.APP_ROLE, config: describeConfig(settings) });

  const apps: INestApplication[] = [];
  installShutdown(apps, settings.SHUTDOWN_TIMEOUT_MS, logger);
  if (parts.mockApi) {
    const mock = await createMockApiApp(settings, logger);
    await mock.listen(settings.MOCK_PORT, settings.HTTP_HOST);
    apps.push(mock);
    logger.log(`mock source API on http://${settings.HTTP_HOST}:${settings.MOCK_PORT}`, 'Main');
  }
  if (runsPipeline(parts)) {
    const app = await createPipelineApp(settings, parts, logger);
    const port = parts.api ? settings.HTTP_PORT : settings.METRICS_PORT;
    await app.listen(port, settings.HTTP_HOST);
    apps.push(app);
    logger.log(`${parts.api ? 'HTTP API' : 'metrics and health'} on http://${settings.HTTP_HOST}:${port}`, 'Main');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', context: 'Main', message: (err as Error).message, stack: (err as Error).stack })}\n`,
  );
  process.exit(1);
});
