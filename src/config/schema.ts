// The configuration schema: every section and key of metacrypt.toml, with
// its type, default and the rule a value must meet (DESIGN.md §9).
import { z } from 'zod';

import { DEFAULT_ARGON2ID_PARAMS } from '../crypto/index.js';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
const TLS_VERSIONS = ['1.2', '1.3'] as const;

// host:port, [v6]:port or :port (every address), as Go and Vault accept;
// port 0 takes any free port, which tests and `metacrypt dev` use.
const LISTEN_ADDR = /^(?:[A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

// A whole number of seconds, or a number with a unit: "90", "30s", "5m".
const DURATION = /^(\d+)(ms|s|m|h)?$/;
const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function requiredText(): z.ZodString {
  return z.string().min(1, { error: 'must not be empty' });
}

const listenAddr = requiredText().refine(
  (value) => {
    const port = LISTEN_ADDR.exec(value)?.[1];
    return port !== undefined && Number(port) <= 65535;
  },
  { error: 'must be host:port, [ipv6]:port or :port' },
);

const httpsUrl = requiredText().refine(
  (value) => URL.canParse(value) && new URL(value).protocol === 'https:',
  { error: 'must be an https:// URL' },
);

const wholeNumber = (min: number, max: number): z.ZodInt =>
  z
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be ${min} to ${max}` })
    .max(max, { error: `must be ${min} to ${max}` });

/** durationSeconds accepts whole seconds or a duration string ("30s"). */
const durationSeconds = z
  .union([z.int().min(0), z.string().regex(DURATION)], {
    error: 'must be seconds or a duration such as "30s" or "5m"',
  })
  .transform((value) => {
    if (typeof value === 'number') return value;
    const [, amount = '0', unit = 's'] = DURATION.exec(value) ?? [];
    const ms =
      Number(amount) * DURATION_UNIT_MS[unit as keyof typeof DURATION_UNIT_MS];
    return ms / 1000;
  });

/**
 * CONFIG_SCHEMA validates a whole configuration and fills in defaults.
 * Every section is an object here; parseConfig supplies an empty one for a
 * section the file leaves out, so a missing section reports its first
 * missing key rather than the section.
 */
export const CONFIG_SCHEMA = z.strictObject({
  server: z.strictObject({
    listen_addr: listenAddr,
    tls_cert: requiredText(),
    tls_key: requiredText(),
    tls_min_version: z
      .enum(TLS_VERSIONS, { error: 'must be "1.2" or "1.3"' })
      .default('1.2'),
    max_request_bytes: wholeNumber(1024, 64 * 1024 * 1024).default(1024 * 1024),
    auth_rate_limit: wholeNumber(1, 100_000).default(30),
    metrics_public: z
      .boolean({ error: 'must be true or false' })
      .default(false),
  }),
  database: z.strictObject({
    path: requiredText(),
  }),
  mcias: z.strictObject({
    server_url: httpsUrl,
    ca_cert: requiredText().optional(),
    service_name: requiredText().default('metacrypt'),
    tags: z.array(requiredText()).default([]),
    cache_ttl: durationSeconds.default(30),
  }),
  seal: z.strictObject({
    argon2_time: wholeNumber(1, 64).default(DEFAULT_ARGON2ID_PARAMS.time),
    argon2_memory: wholeNumber(8, 4 * 1024 * 1024).default(
      DEFAULT_ARGON2ID_PARAMS.memoryKiB,
    ),
    argon2_threads: wholeNumber(1, 64).default(DEFAULT_ARGON2ID_PARAMS.threads),
    min_password_length: wholeNumber(8, 1024).default(12),
  }),
  log: z.strictObject({
    level: z
      .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
      .default('info'),
  }),
});

/** Config is a validated configuration with every default filled in. */
export type Config = z.output<typeof CONFIG_SCHEMA>;

/** LogLevel is one of the levels the logger accepts. */
export type LogLevel = Config['log']['level'];

/** ValueKind is how an environment variable's text is read for a key. */
export type ValueKind = 'text' | 'number' | 'boolean' | 'list';

/** ConfigKeys maps each section to its keys and their value kinds. */
export type ConfigKeys = ReadonlyMap<string, ReadonlyMap<string, ValueKind>>;

/**
 * CONFIG_KEYS lists each section with its keys and how a value given as
 * text (in an environment variable) is turned into the key's type. It is
 * read off the schema once, so a key added there is known everywhere.
 */
export const CONFIG_KEYS: ConfigKeys = new Map(
  Object.entries(CONFIG_SCHEMA.shape).map(([name, section]) => {
    const shape: Record<string, z.ZodType> = section.shape;
    const keys = Object.entries(shape).map(
      ([key, schema]) => [key, kindOf(schema)] as const,
    );
    return [name, new Map(keys)] as const;
  }),
);

function kindOf(schema: z.ZodType): ValueKind {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) {
    return kindOf(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodNumber) return 'number';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodArray) return 'list';
  return 'text';
}
