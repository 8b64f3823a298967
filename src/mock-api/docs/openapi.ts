import { MAX_ADVANCE_DAYS } from '../admin/mock-control.controller.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../serving/paging.js';

/**
 * The OpenAPI document at /openapi.json: the original app's document for the three source endpoints
 * (kept identical: a contract test compares them), plus this mock's operating endpoints under /mock.
 */

const pageParameters = [
  {
    name: 'page',
    in: 'query',
    required: false,
    schema: { type: 'integer', minimum: 1, description: 'Page number', default: 1, title: 'Page' },
    description: 'Page number',
  },
  {
    name: 'size',
    in: 'query',
    required: false,
    schema: { type: 'integer', maximum: MAX_PAGE_SIZE, minimum: 1, default: DEFAULT_PAGE_SIZE, title: 'Size' },
  },
];

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const validationError = { description: 'Validation Error', content: json(ref('HTTPValidationError')) };

function sourceOperation(summary: string, operationId: string, pageSchema: string) {
  return {
    get: {
      tags: ['HTTP methods'],
      summary,
      operationId,
      parameters: pageParameters,
      responses: {
        '200': { description: 'Successful Response', content: json(ref(pageSchema)) },
        '422': validationError,
      },
    },
  };
}

function pageOf(item: string) {
  return {
    properties: {
      items: { items: ref(item), type: 'array', title: 'Items' },
      total: { type: 'integer', minimum: 0.0, title: 'Total' },
      page: { type: 'integer', minimum: 1.0, title: 'Page' },
      size: { type: 'integer', minimum: 1.0, title: 'Size' },
      pages: { type: 'integer', minimum: 0.0, title: 'Pages' },
    },
    type: 'object',
    required: ['items', 'total', 'page', 'size', 'pages'],
    title: `Page[~T]Customized[${item}]`,
  };
}

const str = (title: string) => ({ type: 'string', title });
const date = (title: string) => ({ type: 'string', format: 'date-time', title });
const nullable = (schema: object, title: string) => ({ anyOf: [schema, { type: 'null' }], title });
const admin = [{ admin: [] }];

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'MooVitamix',
    description: 'A music recommendation system. (Mock source API: the original contract, plus operating endpoints under /mock.)',
    version: '1.1',
  },
  paths: {
    '/': {
      get: {
        summary: 'Docs Redirect',
        operationId: 'docs_redirect__get',
        responses: { '200': { description: 'Successful Response', content: json({}) } },
      },
    },
    '/tracks': sourceOperation('Get Tracks', 'get_tracks_tracks_get', 'Page__T_Customized_TracksOut_'),
    '/users': sourceOperation('Get Users', 'get_users_users_get', 'Page__T_Customized_UsersOut_'),
    '/listen_history': sourceOperation(
      'Get Listen History',
      'get_listen_history_listen_history_get',
      'Page__T_Customized_ListenHistoryOut_',
    ),
    '/mock/state': {
      get: {
        tags: ['Mock operation'],
        summary: 'Simulated date, sizes, what each simulated day added, faults in force',
        operationId: 'mock_state',
        responses: { '200': { description: 'State', content: json({ type: 'object' }) } },
      },
    },
    '/mock/advance': {
      post: {
        tags: ['Mock operation'],
        summary: 'Advance the simulated calendar by N days (admin)',
        operationId: 'mock_advance',
        security: admin,
        parameters: [
          { name: 'days', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_ADVANCE_DAYS, default: 1 } },
        ],
        responses: {
          '200': { description: 'Days added and the new state', content: json({ type: 'object' }) },
          '401': { description: 'Admin token required' },
          '422': validationError,
        },
      },
    },
    '/mock/faults': {
      post: {
        tags: ['Mock operation'],
        summary: 'Change fault rates at run time (admin); omitted fields are kept',
        operationId: 'mock_faults',
        security: admin,
        requestBody: { content: json(ref('FaultSettings')) },
        responses: {
          '200': { description: 'Faults now in force', content: json(ref('FaultSettings')) },
          '401': { description: 'Admin token required' },
          '422': validationError,
        },
      },
    },
    '/mock/malformed': {
      get: {
        tags: ['Mock operation'],
        summary: 'Items served malformed today at the current rate (ids and damage)',
        operationId: 'mock_malformed',
        parameters: [
          { name: 'endpoint', in: 'query', required: false, schema: { type: 'string', enum: ['tracks', 'users', 'listen_history'] } },
        ],
        responses: { '200': { description: 'Malformed items per endpoint', content: json({ type: 'object' }) } },
      },
    },
  },
  components: {
    securitySchemes: { admin: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' } },
    schemas: {
      HTTPValidationError: {
        properties: { detail: { items: ref('ValidationError'), type: 'array', title: 'Detail' } },
        type: 'object',
        title: 'HTTPValidationError',
      },
      ListenHistoryOut: {
        properties: {
          user_id: nullable({ type: 'integer' }, 'User Id'),
          items: nullable({ items: { type: 'integer' }, type: 'array' }, 'Items'),
          created_at: date('Created At'),
          updated_at: date('Updated At'),
        },
        type: 'object',
        required: ['user_id', 'items', 'created_at', 'updated_at'],
        title: 'ListenHistoryOut',
      },
      Page__T_Customized_ListenHistoryOut_: pageOf('ListenHistoryOut'),
      Page__T_Customized_TracksOut_: pageOf('TracksOut'),
      Page__T_Customized_UsersOut_: pageOf('UsersOut'),
      TracksOut: {
        properties: {
          id: { type: 'integer', title: 'Id' },
          name: str('Name'),
          artist: str('Artist'),
          songwriters: str('Songwriters'),
          duration: str('Duration'),
          genres: str('Genres'),
          album: str('Album'),
          created_at: date('Created At'),
          updated_at: date('Updated At'),
        },
        type: 'object',
        required: ['id', 'name', 'artist', 'songwriters', 'duration', 'genres', 'album', 'created_at', 'updated_at'],
        title: 'TracksOut',
      },
      UsersOut: {
        properties: {
          id: { type: 'integer', title: 'Id' },
          first_name: str('First Name'),
          last_name: str('Last Name'),
          email: str('Email'),
          gender: str('Gender'),
          favorite_genres: str('Favorite Genres'),
          created_at: date('Created At'),
          updated_at: date('Updated At'),
        },
        type: 'object',
        required: ['id', 'first_name', 'last_name', 'email', 'gender', 'favorite_genres', 'created_at', 'updated_at'],
        title: 'UsersOut',
      },
      ValidationError: {
        properties: {
          loc: { items: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, type: 'array', title: 'Location' },
          msg: { type: 'string', title: 'Message' },
          type: { type: 'string', title: 'Error Type' },
          input: { title: 'Input' },
          ctx: { type: 'object', title: 'Context' },
        },
        type: 'object',
        required: ['loc', 'msg', 'type'],
        title: 'ValidationError',
      },
      FaultSettings: {
        type: 'object',
        properties: {
          latency_ms: { type: 'integer', minimum: 0, maximum: 60000 },
          error_5xx_rate: { type: 'number', minimum: 0, maximum: 1 },
          rate_limit_429_rate: { type: 'number', minimum: 0, maximum: 1 },
          retry_after_s: { type: 'integer', minimum: 0, maximum: 3600 },
          drop_rate: { type: 'number', minimum: 0, maximum: 1 },
          malformed_rate: { type: 'number', minimum: 0, maximum: 1 },
        },
        title: 'FaultSettings',
      },
    },
  },
};
