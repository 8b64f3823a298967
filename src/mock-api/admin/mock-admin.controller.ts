import { Controller, Get, Query, UnprocessableEntityException } from '@nestjs/common';
import { ENDPOINTS, type Endpoint } from '../data/tables.js';
import { FaultInjector } from '../serving/fault-injector.js';
import { MockSourceService } from '../serving/mock-source.service.js';

/** Reading the mock's state and ground truth (changing it: MockControlController). */
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
