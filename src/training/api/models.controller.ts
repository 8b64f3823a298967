import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminGuard } from '../../auth/admin.guard.js';
import { ModelArtifactError } from '../model/artifact.js';
import { RolloutService } from '../pipeline/rollout.service.js';
import { ModelRegistry, RegistryConflictError, VersionNotFoundError } from '../registry/model-registry.service.js';
import { type ModelStatus } from '../registry/registry.schemas.js';
import { limitParam, offsetParam, presentVersion, presentVersionSummary, promoteBody, rollbackBody, statusParam } from './presenters.js';

/** Domain errors as 404 / 409 with the registry's message. */
async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof VersionNotFoundError) throw new NotFoundException(err.message);
    if (err instanceof RegistryConflictError || err instanceof ModelArtifactError) throw new ConflictException(err.message);
    throw err;
  }
}

@ApiTags('models')
@ApiBearerAuth()
@Controller('models')
@UseGuards(AdminGuard)
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly rollout: RolloutService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Model versions, newest first, with the ones in production and canary' })
  async list(
    @Query('status', { schema: statusParam }) status: ModelStatus | undefined,
    @Query('limit', { schema: limitParam }) limit: number,
    @Query('offset', { schema: offsetParam }) offset: number,
  ) {
    const [items, total, production, canary] = await Promise.all([
      this.registry.list({ status, limit, skip: offset }),
      this.registry.count(status),
      this.registry.production(),
      this.registry.canary(),
    ]);
    return {
      production: production?._id ?? null,
      canary: canary?._id ?? null,
      items: items.map(presentVersionSummary),
      total,
      limit,
      offset,
    };
  }

  @Post('rollback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put the previous production version back at once (body: {"reason": "..."})' })
  async rollback(@Body({ schema: rollbackBody }) body: z.output<typeof rollbackBody>) {
    return mapped(() => this.rollout.rollback(body.reason, 'api'));
  }

  @Get(':version')
  @ApiOperation({ summary: 'One model version with its history' })
  async get(@Param('version') version: string) {
    return mapped(async () => presentVersion(await this.registry.require(version)));
  }

  @Post(':version/promote')
  @HttpCode(200)
  @ApiOperation({ summary: 'Promote a version to production now (body: optional {"reason": "..."})' })
  @ApiBody({ required: false })
  async promote(@Param('version') version: string, @Body({ schema: promoteBody }) body: z.output<typeof promoteBody>) {
    return mapped(() => this.rollout.promote(version, body.reason ?? 'promoted by an operator', 'api'));
  }
}
