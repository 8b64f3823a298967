import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** Errors shaped as the original FastAPI app's: `{"detail": ...}` (a 404 is {"detail":"Not Found"}). */
@Catch()
export class FastApiErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('MockApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const body =
        typeof response === 'object' && response !== null && 'detail' in response ? response : { detail: detailText(exception, response) };
      void reply.status(exception.getStatus()).type('application/json').send(JSON.stringify(body));
      return;
    }
    this.logger.error('unexpected error', { error: (exception as Error)?.message, stack: (exception as Error)?.stack });
    void reply.status(500).type('application/json').send('{"detail":"Internal Server Error"}');
  }
}

function detailText(exception: HttpException, response: unknown): string {
  if (exception.getStatus() === 404) return 'Not Found';
  if (typeof response === 'object' && response !== null && 'message' in response) return String((response as { message: unknown }).message);
  return exception.message;
}
