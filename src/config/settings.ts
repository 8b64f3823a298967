import { z } from 'zod';

/**
 * Every setting of the service, documented once with its default (the README's table is generated
 * from this list by `npm run config:docs`, and a test keeps the two in step).
 */
export interface SettingSpec<T extends z.ZodType = z.ZodType> {
  schema: T;
  default: string | undefined;
  doc: string;
  group: string;
  secret?: boolean;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const ratio = () => num(0, 1);
const bool = () =>
  z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' }).transform((v) => ['true', '1', 'yes'].includes(v));
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
const cron = () => z.string().regex(/^(\S+\s+){4,5}\S+$/, { message: 'expected a cron expression of 5 or 6 fields, e.g. "0 2 * * *"' });
/** Durations such as 90s, 30m, 12h, 7d (a bare number is seconds); parsed to seconds. */
export const duration = () =>
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(s|m|h|d)?$/, { message: 'expected a duration such as 90s, 30m, 12h or 7d' })
    .transform((v) => {
      const m = /^(\d+(?:\.\d+)?)\s*([smhd])?$/.exec(v)!;
      const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
      return Number(m[1]) * unit;
    });

export const ROLES = ['all', 'api', 'worker', 'scheduler', 'mock-api'] as const;
export type AppRole = (typeof ROLES)[number];

function spec<T extends z.ZodType>(group: string, schema: T, def: string | undefined, doc: string, secret = false): SettingSpec<T> {
  return { schema, default: def, doc, group, secret };
}

export const SETTINGS = {
  // Process
  APP_ROLE: spec(
    'process',
    z.enum(ROLES),
    'all',
    'What this process runs: all, api (HTTP), worker (queue processors), scheduler (cron), mock-api (the source API alone).',
  ),
  HTTP_PORT: spec('process', int(1, 65535), '3000', 'Port of the HTTP API (roles all and api).'),
  MOCK_PORT: spec('process', int(1, 65535), '8000', 'Port of the mock source API (roles all and mock-api).'),
  METRICS_PORT: spec('process', int(1, 65535), '9464', '/metrics and /health of the worker and scheduler roles, which have no HTTP API.'),
  HTTP_HOST: spec('process', z.string().min(1), '127.0.0.1', 'Address the HTTP servers listen on (0.0.0.0 in containers).'),
  LOG_LEVEL: spec(
    'process',
    z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']),
    'log',
    'Lowest level written to the JSON log (fatal, error, warn, log, debug, verbose).',
  ),
  SHUTDOWN_TIMEOUT_MS: spec(
    'process',
    int(1000, 600_000),
    '30000',
    "On SIGTERM (or app.close()), how long the workers' running jobs may take to finish, workers stopped first and connections last; a job still running then is not failed: BullMQ's stalled-job check hands it to another worker.",
  ),
  TZ_CRON: spec('process', z.string().min(1), 'UTC', 'Time zone of every cron expression (IANA name, e.g. Europe/Paris).'),
  NODE_ENV: spec(
    'process',
    z.string().min(1),
    'development',
    "production (the Docker image's default) refuses to start with a development or weak ADMIN_TOKEN (the .env one, under 32 characters, or of low entropy) and leaves out the mock's control routes; any other value is a development setting.",
  ),
  ADMIN_TOKEN: spec(
    'process',
    z.string().min(16, { message: 'expected at least 16 characters' }),
    undefined,
    'Admin credential: Authorization: Bearer <token> (every state-changing route), or HTTP Basic with the token as password for the browser pages under /admin (GET only). Set it or ADMIN_TOKEN_FILE.',
    true,
  ),
  HTTP_REQUEST_TIMEOUT_MS: spec(
    'process',
    int(1000, 600_000),
    '15000',
    "A request to the pipeline's HTTP server (API, /metrics, /health) not answered within this is answered 503, whatever it waits for.",
  ),
  AUTH_FAILURE_LIMIT: spec(
    'process',
    int(0, 1_000_000),
    '20',
    'Wrong credentials one client address may present in AUTH_FAILURE_WINDOW; past it its requests with a credential answer 429 until the window ends (per process; 0 turns it off).',
  ),
  AUTH_FAILURE_WINDOW: spec('process', duration(), '5m', 'Window of AUTH_FAILURE_LIMIT.'),
  PUBLIC_RATE_LIMIT: spec(
    'process',
    num(0, 1_000_000),
    '0',
    'Requests a second one client address may make to the public routes (recommendations, playlists, docs; not /health or /metrics, nor requests with a credential); past it 429 with Retry-After. Per process; 0 (the default) turns it off, e.g. behind a proxy that limits already.',
  ),
  PUBLIC_RATE_BURST: spec('process', int(0, 10_000_000), '0', 'Burst allowed above PUBLIC_RATE_LIMIT (0: twice the limit).'),
  ADMIN_TOKEN_FILE: spec(
    'process',
    z.string().min(1).optional(),
    undefined,
    'File holding the admin token (e.g. a Docker secret at /run/secrets/admin_token); when set it wins over ADMIN_TOKEN. Surrounding whitespace is ignored.',
  ),

  // Connections
  MONGODB_URI: spec(
    'connections',
    url(['mongodb:', 'mongodb+srv:']),
    'mongodb://127.0.0.1:27017/moovitamix',
    'MongoDB (or FerretDB) connection string, with the database name.',
    true,
  ),
  REDIS_URL: spec(
    'connections',
    url(['redis:', 'rediss:']),
    'redis://127.0.0.1:6379',
    'Redis for BullMQ queues and the playlist cache.',
    true,
  ),
  REDIS_COMMAND_TIMEOUT_MS: spec(
    'connections',
    int(100, 600_000),
    '2000',
    "ioredis commandTimeout of the shared Redis client (cache, health): a command not answered within this fails instead of hanging (BullMQ's blocking connections have none).",
  ),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: spec(
    'connections',
    int(500, 600_000),
    '5000',
    'How long a MongoDB operation waits for a reachable server before it fails.',
  ),
  MONGODB_SOCKET_TIMEOUT_MS: spec(
    'connections',
    int(1000, 3_600_000),
    '300000',
    'A MongoDB socket silent for this long is closed and its operation fails: a stalled network cannot hang a worker for ever. Above the longest single command (a whole-collection read on FerretDB).',
  ),
  REDIS_PREFIX: spec(
    'connections',
    z.string().regex(/^[a-z0-9:_-]+$/i),
    'moovitamix',
    'Prefix of every Redis key (queues and cache), so several environments can share one Redis.',
  ),
  MOCK_API_URL: spec(
    'connections',
    url(['http:', 'https:']),
    'http://127.0.0.1:8000',
    'Base URL of the MooVitamix source API (the mock, or the real one).',
  ),

  // Mock source API
  MOCK_MODE: spec(
    'mock',
    z.enum(['living', 'classic', 'replay']),
    'living',
    'living: seeded, growing, structured data; classic: the original (1000 random records, new at each start); replay: serve MOCK_REPLAY_DIR.',
  ),
  MOCK_SEED: spec(
    'mock',
    z.string().regex(/^\d+$/).optional(),
    undefined,
    'Seed of the generated data. living (and replay, for fields a file lacks) defaults to 42; classic draws a new seed at each start unless this is set.',
  ),
  MOCK_USERS: spec('mock', int(1, 5_000_000), '2000', 'living: users on day 0.'),
  MOCK_TRACKS: spec('mock', int(1, 5_000_000), '1000', 'living: tracks on day 0.'),
  MOCK_INITIAL_LISTENS: spec('mock', int(1, 1000), '20', 'living: mean listens per user in the starting history.'),
  MOCK_DAILY_NEW_USERS: spec('mock', num(0, 1), '0.01', 'living: new users a simulated day, as a share of current users.'),
  MOCK_DAILY_NEW_TRACKS: spec('mock', num(0, 1), '0.005', 'living: new tracks a simulated day, as a share of current tracks.'),
  MOCK_DAILY_ACTIVE_SHARE: spec('mock', ratio(), '0.3', 'living: share of users who listen on a simulated day.'),
  MOCK_DAILY_LISTENS: spec('mock', int(1, 1000), '5', 'living: mean listens of an active user a simulated day.'),
  MOCK_START_DATE: spec(
    'mock',
    z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected YYYY-MM-DD' }),
    '2026-01-01',
    'Simulated date of day 0 (00:00 UTC); classic dates its data in the two years before it.',
  ),
  MOCK_REPLAY_DIR: spec(
    'mock',
    z.string().optional(),
    undefined,
    'replay: data set folder (listens.ndjson, optional tracks.ndjson and users.ndjson).',
  ),
  MOCK_CONTROL_ROUTES: spec(
    'mock',
    z.enum(['auto', 'on', 'off']),
    'auto',
    'POST /mock/advance and POST /mock/faults (admin token): auto mounts them unless NODE_ENV=production; on, off.',
  ),
  MOCK_FAULT_LATENCY_MS: spec(
    'mock',
    int(0, 60_000),
    '0',
    'Fault injection: latency added to every answer of /tracks, /users and /listen_history, in ms.',
  ),
  MOCK_FAULT_5XX_RATE: spec('mock', ratio(), '0', 'Fault injection: share of answers that are 500/502/503.'),
  MOCK_FAULT_429_RATE: spec('mock', ratio(), '0', 'Fault injection: share of answers that are 429 with Retry-After.'),
  MOCK_FAULT_RETRY_AFTER_S: spec('mock', int(0, 3600), '1', 'Fault injection: the Retry-After of a 429, in seconds.'),
  MOCK_FAULT_DROP_RATE: spec('mock', ratio(), '0', 'Fault injection: share of requests whose connection is dropped without an answer.'),
  MOCK_FAULT_MALFORMED_RATE: spec(
    'mock',
    ratio(),
    '0',
    'Fault injection: share of items served malformed (wrong type, missing field, bad date), chosen per item and simulated day; GET /mock/malformed lists them.',
  ),

  // Ingestion
  INGESTION_CRON: spec('ingestion', cron(), '0 2 * * *', 'When the daily ingestion run is enqueued.'),
  INGESTION_PAGE_SIZE: spec('ingestion', int(1, 100), '100', 'Page size asked of the source (100 is its maximum).'),
  INGESTION_CONCURRENCY: spec('ingestion', int(1, 64), '8', 'Pages fetched at once per endpoint.'),
  INGESTION_REQUEST_TIMEOUT_MS: spec('ingestion', int(100, 300_000), '10000', 'Timeout of one source request.'),
  INGESTION_REQUEST_RETRIES: spec(
    'ingestion',
    int(0, 50),
    '6',
    'Retries of one page (network error, timeout, 5xx, 429) before the run fails.',
  ),
  INGESTION_RETRY_BUDGET: spec(
    'ingestion',
    int(0, 1_000_000),
    '2000',
    'Retries allowed in one run, all pages together; past it the run fails with that reason.',
  ),
  INGESTION_RETRY_BASE_MS: spec('ingestion', int(1, 60_000), '200', 'First backoff delay; doubles each retry, with full jitter.'),
  INGESTION_RETRY_MAX_MS: spec('ingestion', int(1, 600_000), '10000', 'Longest backoff delay (and longest Retry-After honoured).'),
  INGESTION_JOB_ATTEMPTS: spec(
    'ingestion',
    int(1, 20),
    '3',
    'BullMQ attempts of a run; each attempt resumes from the last completed page.',
  ),
  INGESTION_LOCK_DURATION_MS: spec(
    'ingestion',
    int(1000, 600_000),
    '30000',
    'Lock of a running ingestion job, renewed while its worker lives; when a worker dies, another takes the run over from its checkpoint within about twice this.',
  ),
  SOURCE_SHRINK_TOLERANCE: spec(
    'ingestion',
    ratio(),
    '0.1',
    'A run whose source reports fewer records of an endpoint than the store holds, by more than this share, is marked anomalous and does not enqueue the recommendation run (the store keeps every record).',
  ),
  RAW_EXPORT: spec('ingestion', bool(), 'true', "Write each run's pages as received under RAW_EXPORT_DIR/<endpoint>/run_date=YYYY-MM-DD/."),
  RAW_EXPORT_DIR: spec('ingestion', z.string().min(1), 'data/raw', 'Folder of the raw zone.'),

  // Retention
  RETENTION_CRON: spec(
    'retention',
    cron(),
    '15 5 * * *',
    'When the retention job prunes old raw pages, rejected records, checkpoints of failed runs and model artifacts.',
  ),
  RAW_RETENTION_DAYS: spec(
    'retention',
    int(0, 36_500),
    '30',
    'Raw zone folders (run_date=...) older than this many days are deleted (0 keeps them for ever).',
  ),
  REJECTED_RETENTION_DAYS: spec(
    'retention',
    int(0, 36_500),
    '90',
    'rejected_records (invalid and quarantined items) older than this many days are deleted (0 keeps them).',
  ),
  CHECKPOINT_RETENTION_DAYS: spec(
    'retention',
    int(0, 36_500),
    '7',
    'Checkpoint logs of failed ingestion runs older than this many days are deleted (a successful run deletes its own at once; a running one is never touched; 0 keeps them).',
  ),
  MODEL_ARTIFACT_RETENTION_DAYS: spec(
    'retention',
    int(0, 36_500),
    '30',
    'Stored factors of retired or rejected model versions older than this many days are deleted (the version record stays; production, canary, candidates and the rollback target keep theirs; 0 keeps them).',
  ),

  // Monitoring
  ANOMALY_WINDOW: spec('monitoring', int(3, 1000), '14', "Past runs an ingestion run's volumes and durations are compared with."),
  ANOMALY_THRESHOLD: spec('monitoring', num(0.5, 100), '3.5', 'Robust z-score (median/MAD) beyond which a run is marked anomalous.'),
  HEALTH_INGESTION_MAX_AGE: spec(
    'monitoring',
    duration(),
    '26h',
    '/health is degraded when the last successful ingestion is older than this.',
  ),
  HEALTH_RECOMMENDATION_MAX_AGE: spec(
    'monitoring',
    duration(),
    '26h',
    '/health is degraded when the last successful recommendation run is older than this.',
  ),
  HEALTH_CHECK_TIMEOUT_MS: spec('monitoring', int(100, 60_000), '2000', 'Timeout of each readiness check.'),

  // Recommendations
  RECOMMENDATION_CRON: spec(
    'recommendations',
    cron(),
    '0 5 * * *',
    'Safety-net daily recommendation run (it also runs after each successful ingestion).',
  ),
  RECOMMENDATION_BATCH_SIZE: spec('recommendations', int(1, 100_000), '2000', 'Users per child job of a recommendation run.'),
  RECOMMENDATION_THREADS: spec(
    'recommendations',
    int(0, 64),
    '0',
    "worker_threads a worker process scores a batch on with the model (0 = one per core; 1 = on the job's own thread). The lists are the same either way.",
  ),
  RECOMMENDATION_MAX_AGE: spec('recommendations', duration(), '7d', 'A playlist older than this is recomputed even without new listens.'),
  RECOMMENDATION_CACHE_TTL: spec('recommendations', duration(), '2d', 'Life of a cached playlist in Redis.'),
  RECOMMENDATION_LOCAL_CACHE_TTL: spec(
    'recommendations',
    duration(),
    '5s',
    'Life of a playlist answer kept in the API process in front of Redis (at most 20,000 answers per process); 0 turns it off.',
  ),
  SERVING_TIMEOUT_MS: spec(
    'recommendations',
    int(50, 60_000),
    '1000',
    'Each Redis or MongoDB read of the serving routes: a Redis that fails or stalls is skipped (answers come from MongoDB, degraded), a MongoDB that does gives 503.',
  ),
  UNKNOWN_USER_CACHE_TTL: spec(
    'recommendations',
    duration(),
    '10m',
    'How long a user id found not to exist is remembered (in Redis and per process) so that asking again reads no store; a user ingested meanwhile is served once a playlist run covers them, or after this; 0 turns it off.',
  ),
  PLAYLIST_SIZE: spec('recommendations', int(1, 100), '30', 'Tracks in a generated playlist.'),
  PLAYLIST_RETENTION_DAYS: spec(
    'recommendations',
    int(1, 3650),
    '30',
    'Generated playlists older than this are removed by the cleanup job.',
  ),
  MAX_TRACKS_PER_ARTIST: spec('recommendations', int(1, 100), '3', 'At most this many tracks of one artist in a playlist.'),
  CLEANUP_CRON: spec('recommendations', cron(), '30 4 * * *', 'When old playlists are removed.'),
  EXPERIMENTS: spec(
    'recommendations',
    z.string(),
    '[]',
    'A/B experiments as JSON: [{"name":"...","variants":[{"name":"...","weight":1,"recommender":"hybrid|popularity|genre|model","modelVersion":"optional"}]}].',
  ),

  // Training
  TRAINING_CRON: spec('training', cron(), '0 3 * * 0', 'When the weekly retraining is enqueued.'),
  TRAINING_WINDOW_DAYS: spec('training', int(1, 3650), '30', 'Days of listens a model is trained on.'),
  VALIDATION_DAYS: spec('training', int(1, 365), '7', 'Last days of the window held out to evaluate candidate, production and popularity.'),
  TRAINING_MIN_USER_LISTENS: spec(
    'training',
    int(1, 1000),
    '2',
    'Users with fewer distinct tracks in the window are left out of training.',
  ),
  TRAINING_MIN_TRACK_LISTENS: spec(
    'training',
    int(1, 1000),
    '2',
    'Tracks with fewer distinct listeners in the window are left out of training.',
  ),
  ALS_FACTORS: spec(
    'training',
    int(1, 512),
    '64',
    'Latent factors of the first ALS configuration the search tries (and of the model when TUNING_TRIALS=0).',
  ),
  ALS_REGULARIZATION: spec(
    'training',
    num(0, 1000),
    '0.5',
    'ALS L2 regularisation as a multiple of the mean number of interactions per user and track (relative to the data: the same value means the same on any data size).',
  ),
  ALS_ALPHA: spec(
    'training',
    num(0, 10_000),
    '2',
    'ALS confidence weight on counts divided by the median count: c = 1 + alpha * count/median (linear) or 1 + alpha * log(1 + count/median) (log).',
  ),
  ALS_CONFIDENCE: spec(
    'training',
    z.enum(['linear', 'log']),
    'log',
    'ALS confidence form of the first configuration (the search tries both).',
  ),
  ALS_ITERATIONS: spec(
    'training',
    int(0, 200),
    '24',
    'Most ALS sweeps (users then items); the search stops earlier where validation NDCG stops improving.',
  ),
  ALS_CG_STEPS: spec('training', int(1, 20), '3', 'Conjugate-gradient steps per least-squares solve.'),
  ALS_SEED: spec(
    'training',
    int(0, 2 ** 31 - 1),
    '7',
    'Seed of the factor initialisation, the search and its validation carve-out; same data and seed give the same model.',
  ),
  ALS_THREADS: spec('training', int(0, 64), '0', 'worker_threads used by training (0 = one per core).'),
  TUNING_TRIALS: spec(
    'training',
    int(0, 50),
    '9',
    'ALS configurations raced by successive halving in the model search, beside the EASE and RP3beta trials (0 = no search: train ALS with the ALS_* settings).',
  ),
  MODEL_SEARCH_SECONDS: spec(
    'training',
    int(5, 86_400),
    '180',
    'Time budget of the model search (seconds): every family gets a first trial, then rounds of trials run while the budget lasts.',
  ),
  MODEL_FAMILIES: spec(
    'training',
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f.length > 0),
      )
      .pipe(
        z
          .array(z.enum(['als', 'ease', 'rp3beta']), { error: 'expected a comma-separated list of als, ease, rp3beta' })
          .min(1, 'name at least one family'),
      ),
    'als,ease,rp3beta',
    'Model families the search may choose from (comma-separated: als, ease, rp3beta).',
  ),
  EASE_MAX_ITEMS: spec(
    'training',
    int(2, 20_000),
    '3000',
    'EASE is tried only for catalogues of at most this many tracks (its fit inverts a tracks x tracks matrix: n³ time, n² memory).',
  ),
  GATE_NDCG_TOLERANCE: spec('training', ratio(), '0.02', "Gate: the candidate's NDCG@10 may be below production's by at most this share."),
  MIN_LIFT_OVER_POPULARITY: spec(
    'training',
    num(0, 100),
    '0.1',
    "Gate: the candidate's NDCG@10 must beat popularity's by at least this share (0.1 = 10%).",
  ),
  GATE_COVERAGE_TOLERANCE: spec('training', ratio(), '0.2', 'Gate: catalogue coverage may fall by at most this share.'),
  CANARY_PERCENT: spec('training', num(0, 100), '10', 'Share of users (percent) served the canary model.'),
  CANARY_DAYS: spec(
    'training',
    int(0, 60),
    '2',
    'Days a canary runs before its first review, which promotes it, rolls it back or waits a day (see CANARY_MAX_DAYS; 0 = promote at once, no canary).',
  ),
  CANARY_MAX_DAYS: spec(
    'training',
    int(0, 60),
    '6',
    'Last day of a canary: reviewed daily from CANARY_DAYS on while its test is inconclusive, decided at the latest this many days after it started (at most CANARY_DAYS: the first review decides).',
  ),
  CANARY_CONFIDENCE: spec(
    'training',
    num(0.5, 0.9999),
    '0.95',
    "Canary test: two-sided confidence of the interval of the difference of next-day hit rates, over all the canary's reviews together (each review uses 1 - (1 - this) / reviews).",
  ),
  CANARY_NON_INFERIORITY_MARGIN: spec(
    'training',
    ratio(),
    '0.02',
    "Canary test: how far, in absolute terms, the canary's next-day hit rate may be below production's (0.02 = 2 percentage points); promoted when the interval's lower bound is above minus this, rolled back when its upper bound is below it.",
  ),
  CANARY_MIN_USERS: spec(
    'training',
    int(1, 10_000_000),
    '100',
    'Canary test: users each group (canary, production) needs before a review may decide ahead of CANARY_MAX_DAYS.',
  ),
  CANARY_INCONCLUSIVE: spec(
    'training',
    z.enum(['promote', 'rollback']),
    'promote',
    'Canary test: what the last review does when the interval still straddles the margin: promote (the offline gate stands; only a canary shown worse is stopped) or rollback (a canary must show it is not worse).',
  ),
  DRIFT_PSI_THRESHOLD: spec('training', num(0, 10), '0.2', 'Population stability index above which a feature is reported as drifted.'),
} satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> };
