// The structured logger: JSON lines through winston, redacted before they
// are written, with the level taken from configuration.
import type { Writable } from 'node:stream';

import winston from 'winston';

import type { LogLevel } from '../config/index.js';
import { redact } from './redact.js';

/** LogFields are the structured fields of one log line. */
export type LogFields = Record<string, unknown>;

/** Logger is the narrow logging interface the rest of Metacrypt uses. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** child returns a logger that adds fields to every line. */
  child(fields: LogFields): Logger;
}

/** LoggerOptions configure createLogger. */
export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where JSON lines go; stdout by default. */
  readonly stream?: Writable;
  /** Fields on every line, such as the component name. */
  readonly fields?: LogFields;
}

// Runs last before JSON encoding, so fields from child loggers and from
// format.errors are redacted too. The message is a string field like any
// other, so bearer tokens in it are masked by the same pass. winston's
// level and its symbol-keyed state are carried over untouched.
const redactFormat = winston.format((info) => {
  const safe = redact({ ...info }) as Record<string, unknown>;
  for (const [name, value] of Object.entries(safe)) {
    if (name !== 'level') info[name] = value;
  }
  return info;
});

/** createLogger builds a logger that writes redacted JSON lines. */
export function createLogger(options: LoggerOptions): Logger {
  const base = winston.createLogger({
    level: options.level,
    defaultMeta: options.fields,
    format: winston.format.combine(
      winston.format.timestamp(),
      redactFormat(),
      winston.format.json(),
    ),
    transports: [
      // winston declares its transports as interfaces over TransportStream,
      // which this rule cannot see through; the instance is a real one.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      new winston.transports.Stream({
        stream: options.stream ?? process.stdout,
      }),
    ],
  });
  return wrap(base);
}

function wrap(base: winston.Logger): Logger {
  return {
    error: (message, fields) => base.error(message, fields),
    warn: (message, fields) => base.warn(message, fields),
    info: (message, fields) => base.info(message, fields),
    debug: (message, fields) => base.debug(message, fields),
    child: (fields) => wrap(base.child(fields)),
  };
}
