// The structured logger: JSON lines through winston, redacted before they
// are written, with the level taken from configuration.
import type { Writable } from 'node:stream';

import winston from 'winston';

import type { LogLevel } from '../config/index.js';
import { redactField } from './redact.js';

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

// Where winston's transports read the finished line.
const MESSAGE = Symbol.for('message');

// One pass makes the line: the time, then every field of the entry
// (child loggers' fields included) redacted, then plain JSON.stringify,
// which is safe because redaction cuts cycles and turns bigints and
// bytes into text. The message is a field like any other, so bearer
// tokens in it are masked too. This runs for every request, so it avoids
// the copies and the stable stringifier of winston's stock formats.
const jsonLine = winston.format((info) => {
  const line: Record<string, unknown> = {
    level: info.level,
    timestamp: new Date().toISOString(),
  };
  for (const name of Object.keys(info)) {
    if (name !== 'level') line[name] = redactField(name, info[name]);
  }
  info[MESSAGE] = JSON.stringify(line);
  return info;
});

/** createLogger builds a logger that writes redacted JSON lines. */
export function createLogger(options: LoggerOptions): Logger {
  const base = winston.createLogger({
    level: options.level,
    defaultMeta: options.fields,
    format: jsonLine(),
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
