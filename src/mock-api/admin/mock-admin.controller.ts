import { Body, Controller, Get, HttpCode, Post, Query, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../../auth/admin.guard.js';
import { ENDPOINTS, type Endpoint } from '../data/tables.js';
import { FaultInjector, faultSettingsSchema } from '../serving/fault-injector.js';
import { MockSourceService } from '../serving/mock-source.service.js';

export const MAX_ADVANCE_DAYS = 3650;

/** Operating the mock: its state and ground truth, the simulated calendar, faults at run time. */
@Controller('mock')
export class MockAdminController {
  constructor(
    private readonly source: MockSourceService,
    private readonly faults: FaultInjector,
  ) {}

  /** Simulated date, sizes, what each simulated day added, faults in force and served. */
  @Get('state')
  state() {
    return this.source.state();
  }

  @Post('advance')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  advance(@Query('days') days?: string) {
    const n = days === undefined ? 1 : Number(days);
    if (!Number.isInteger(n) || n < 1 || n > MAX_ADVANCE_DAYS) {
      throw unprocessable([{ type: 'int_range', loc: ['query', 'days'], msg: `Input should be an integer from 1 to ${MAX_ADVANCE_DAYS}`, input: days }]);
    }
    const added = this.source.advance(n);
    return { added, state: this.source.state() };
  }

  /** Changes some fault rates (the others are kept); answers the rates now in force. */
  @Post('faults')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  setFaults(@Body() body: unknown) {
    const parsed = faultSettingsSchema.partial().safeParse(body ?? {});
    if (!parsed.success) {
      throw unprocessable(parsed.error.issues.map((i) => ({ type: i.code, loc: ['body', ...i.path.map(String)], msg: i.message, input: undefined })));
    }
    return this.faults.update(parsed.data);
  }

  /** The items served damaged today at the current rate: ids and damage, per endpoint. */
  @Get('malformed')
  malformed(@Query('endpoint') endpoint?: string) {
    const wanted = endpoint === undefined ? [...ENDPOINTS] : ENDPOINTS.filter((e) => e === endpoint);
    if (wanted.length === 0) {
      throw unprocessable([{ type: 'enum', loc: ['query', 'endpoint'], msg: `Input should be ${ENDPOINTS.join(', ')}`, input: endpoint }]);
    }
    return {
      day: this.source.dataset.day,
      rate: this.faults.settings.malformed_rate,
      ...Object.fromEntries(wanted.map((e: Endpoint) => [e, this.source.malformed(e)])),
    };
  }
}

function unprocessable(detail: { type: string; loc: string[]; msg: string; input: unknown }[]): UnprocessableEntityException {
  return new UnprocessableEntityException({ detail });
}
