import { Body, ConflictException, Controller, HttpCode, Post, Query, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../../auth/admin.guard.js';
import { FaultInjector, faultSettingsSchema } from '../serving/fault-injector.js';
import { MockSourceService } from '../serving/mock-source.service.js';

/** At most a year per call. */
export const MAX_ADVANCE_DAYS = 366;
/** Sizes an advance may not take the living data set past (the process would run out of memory first). */
export const MAX_MOCK_SIZES = { users: 5_000_000, tracks: 5_000_000, listens: 50_000_000 } as const;

/**
 * Changing the mock at run time: the simulated calendar and the faults. Mounted only where
 * MOCK_CONTROL_ROUTES allows (not with NODE_ENV=production by default), and behind the admin token.
 */
@Controller('mock')
@UseGuards(AdminGuard)
export class MockControlController {
  private advancing = false;

  constructor(
    private readonly source: MockSourceService,
    private readonly faults: FaultInjector,
  ) {}

  @Post('advance')
  @HttpCode(200)
  async advance(@Query('days') days?: string) {
    const n = days === undefined ? 1 : Number(days);
    if (!/^\d+$/.test(days ?? '1') || !Number.isInteger(n) || n < 1 || n > MAX_ADVANCE_DAYS) {
      throw unprocessable([
        { type: 'int_range', loc: ['query', 'days'], msg: `Input should be an integer from 1 to ${MAX_ADVANCE_DAYS}`, input: days },
      ]);
    }
    const projected = this.source.projectedSizes(n);
    const over = (Object.keys(MAX_MOCK_SIZES) as Array<keyof typeof MAX_MOCK_SIZES>).filter((k) => projected[k] > MAX_MOCK_SIZES[k]);
    if (over.length > 0) {
      const what = over.map((k) => `${k} ~${projected[k].toExponential(2)} > ${MAX_MOCK_SIZES[k]}`).join(', ');
      throw unprocessable([
        {
          type: 'too_large',
          loc: ['query', 'days'],
          msg: `Advancing ${n} days at the configured growth would exceed the mock's limits (${what})`,
          input: days,
        },
      ]);
    }
    if (this.advancing) throw new ConflictException({ detail: 'an advance is already running' });
    this.advancing = true;
    try {
      const added = await this.source.advanceYielding(n);
      return { added, state: this.source.state() };
    } finally {
      this.advancing = false;
    }
  }

  /** Changes some fault rates (the others are kept); answers the rates now in force. */
  @Post('faults')
  @HttpCode(200)
  setFaults(@Body() body: unknown) {
    const parsed = faultSettingsSchema.partial().safeParse(body ?? {});
    if (!parsed.success) {
      throw unprocessable(
        parsed.error.issues.map((i) => ({ type: i.code, loc: ['body', ...i.path.map(String)], msg: i.message, input: undefined })),
      );
    }
    return this.faults.update(parsed.data);
  }
}

function unprocessable(detail: { type: string; loc: string[]; msg: string; input: unknown }[]): UnprocessableEntityException {
  return new UnprocessableEntityException({ detail });
}
