import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../../auth/admin.guard.js';
import { ModelArtifactError } from '../model/artifact.js';
import { RolloutService } from '../pipeline/rollout.service.js';
import { ModelRegistry, RegistryConflictError, VersionNotFoundError } from '../registry/model-registry.service.js';
import { parsePaging, parseReason, parseStatus, presentVersion, presentVersionSummary } from './presenters.js';

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
  @ApiQuery({ name: 'status', required: false, description: 'candidate, rejected, canary, production or retired' })
  @ApiQuery({ name: 'limit', required: false, description: '1..100 (20)' })
  @ApiQuery({ name: 'offset', required: false, description: '>= 0 (0)' })
  async list(@Query('status') status?: string, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    const s = parseStatus(status);
    const p = parsePaging(limit, offset);
    const [items, total, production, canary] = await Promise.all([
      this.registry.list({ status: s, limit: p.limit, skip: p.offset }),
      this.registry.count(s),
      this.registry.production(),
      this.registry.canary(),
    ]);
    return { production: production?._id ?? null, canary: canary?._id ?? null, items: items.map(presentVersionSummary), total, limit: p.limit, offset: p.offset };
  }

  @Post('rollback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put the previous production version back at once (body: {"reason": "..."})' })
  async rollback(@Body() body: unknown) {
    const reason = parseReason(body, true)!;
    return mapped(() => this.rollout.rollback(reason, 'api'));
  }

  @Get(':version')
  @ApiOperation({ summary: 'One model version with its history' })
  async get(@Param('version') version: string) {
    return mapped(async () => presentVersion(await this.registry.require(version)));
  }

  @Post(':version/promote')
  @HttpCode(200)
  @ApiOperation({ summary: 'Promote a version to production now (body: optional {"reason": "..."})' })
  async promote(@Param('version') version: string, @Body() body: unknown) {
    const reason = parseReason(body, false) ?? 'promoted by an operator';
    return mapped(() => this.rollout.promote(version, reason, 'api'));
  }
}
