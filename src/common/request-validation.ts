import {
  BadRequestException,
  Catch,
  HttpException,
  Injectable,
  type ArgumentMetadata,
  type ArgumentsHost,
  type PipeTransform,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { z } from 'zod';

/**
 * The one way a request is validated: each route declares zod schemas on its parameters
 * (`@Query('limit', { schema })`, `@Param('id', { schema })`, `@Body({ schema })`), the global
 * RequestValidationPipe checks them, and every refusal is a 400 with one body shape,
 * `{ statusCode: 400, error: 'Bad Request', parameter, message }`, the message starting with the
 * parameter's name. The same schemas document the parameters in OpenAPI and serve the hot route,
 * which checks them without Nest's router (validateParameter).
 */
export interface BadParameterBody {
  statusCode: 400;
  error: 'Bad Request';
  parameter: string;
  message: string;
}

/** A 400 that names the parameter and says why. */
export function badParameter(parameter: string, why: string): BadRequestException {
  const body: BadParameterBody = { statusCode: 400, error: 'Bad Request', parameter, message: `${parameter} ${why}` };
  return new BadRequestException(body);
}

/** A request value as shown in a message: quoted, cut at 40 characters. */
export function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
}

interface Issue {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

/** The parameter an issue is about: the named parameter, else the issue's first key, else the body or query itself. */
function parameterOf(issue: Issue, metadata: Pick<ArgumentMetadata, 'type' | 'data'>): string {
  const first = issue.path?.[0];
  const key = first === undefined ? undefined : String(typeof first === 'object' ? first.key : first);
  if (metadata.data) return key === undefined ? metadata.data : `${metadata.data}.${key}`;
  return key ?? (metadata.type === 'body' ? 'body' : metadata.type);
}

/** Checks a value against a schema; a refusal names the parameter (the hot route calls this directly). */
export function validateParameter<S extends z.ZodType>(
  schema: S,
  value: unknown,
  metadata: Pick<ArgumentMetadata, 'type' | 'data'>,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw badParameter(parameterOf(issue, metadata), issue.message);
}

/**
 * Global pipe (APP_PIPE in AppModule): a parameter with a zod `schema` in its decorator is checked
 * and replaced by the schema's output; any other parameter passes as it is.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = metadata.schema;
    if (!schema || metadata.type === 'custom') return value;
    if (!(schema instanceof z.ZodType)) throw new Error(`a request schema must be a zod schema (${metadata.type} ${metadata.data ?? ''})`);
    return validateParameter(schema, value, metadata);
  }
}

/**
 * Global filter (APP_FILTER in AppModule): a 400 raised outside the pipe (Fastify's body parser:
 * malformed JSON, an empty JSON body) gets the same body, naming `body`; every other answer passes as it is.
 */
@Catch(HttpException)
export class BadRequestShapeFilter extends BaseExceptionFilter {
  override catch(err: HttpException, host: ArgumentsHost): void {
    const body = err.getResponse();
    if (err.getStatus() !== 400 || (typeof body === 'object' && 'parameter' in body)) {
      super.catch(err, host);
      return;
    }
    const message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? err.message);
    const code = (err.cause as { code?: unknown } | undefined)?.code;
    const parameter = typeof code === 'string' && code.startsWith('FST_ERR_CTP') ? 'body' : 'request';
    // Fastify's "Body is not valid JSON ..." reads "body is not valid JSON ...".
    const why = message.toLowerCase().startsWith(`${parameter} `) ? message.slice(parameter.length + 1) : `refused: ${message}`;
    super.catch(badParameter(parameter, why), host);
  }
}

/** A refusal from a parameter's check: the message follows the parameter's name. */
function refuse(ctx: z.RefinementCtx, message: string, input: unknown): never {
  ctx.addIssue({ code: 'custom', message, input });
  return z.NEVER;
}

/** An optional integer parameter in [min, max] (a query string: digits only, at most nine), `fallback` when absent or empty. */
export function intParam(min: number, max: number, fallback: number, description = `${min}..${max} (${fallback})`) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const n = /^-?\d{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < min || n > max)
        return refuse(ctx, `must be an integer from ${min} to ${max}, got ${shown(raw)}`, raw);
      return n;
    })
    .meta({ type: 'integer', minimum: min, maximum: max, description });
}

/** An optional parameter that must be one of `values`. */
export function enumParam<const T extends string>(values: readonly T[]) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      if (!(values as readonly string[]).includes(raw)) return refuse(ctx, `must be one of ${values.join(', ')}, got ${shown(raw)}`, raw);
      return raw as T;
    })
    .meta({ type: 'string', enum: [...values], description: values.join(', ') });
}

/** A string parameter matching `pattern`, `what` saying what it must be when it does not. */
export function patternParam(pattern: RegExp, what: string) {
  return z
    .string()
    .transform((raw, ctx) => (pattern.test(raw) ? raw : refuse(ctx, `${what}, got ${shown(raw)}`, raw)))
    .meta({ type: 'string', pattern: pattern.source, description: what.replace(/^must /, '') });
}

/** A source user id in a path (a non-negative safe integer), as a number. */
export const userIdParam = z
  .string()
  .transform((raw, ctx) => {
    const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) ? n : refuse(ctx, `must be a non-negative integer (a MooVitamix user id), got ${shown(raw)}`, raw);
  })
  .meta({ type: 'integer', minimum: 0, description: 'The source user id (a non-negative integer)' });

/**
 * A JSON body that may be left out (no body, null or empty: `{}`); when sent it must be an object.
 * `example` is shown in the refusal of a body that is not an object.
 */
export function optionalJsonBody<Shape extends z.ZodRawShape>(shape: Shape, example: string) {
  return z.preprocess(
    (b) => (b === undefined || b === null || b === '' ? {} : b),
    z.object(shape, { error: `must be a JSON object, e.g. ${example}` }),
  );
}

/** The error body in the OpenAPI document (components.schemas.ErrorBody): every 400 has `parameter`. */
export const ERROR_BODY_OPENAPI = {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    parameter: { type: 'string', description: 'On a 400: the parameter refused (a path, query or body field, or "body")' },
    message: { type: 'string' },
  },
} as const;

/** An OpenAPI parameter object from a parameter's schema (for a route the document's scanner does not see). */
export function openApiParameter(name: string, where: 'path' | 'query', schema: z.ZodType) {
  const { $schema: _, description, ...json } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>;
  return {
    name,
    in: where,
    required: where === 'path' || !schema.safeParse(undefined).success,
    ...(description ? { description } : {}),
    schema: json,
  };
}
