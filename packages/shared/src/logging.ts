import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** JSON logs, one line each, tagged with the service; credentials in headers never reach the log. */
export function createLogger(service: string, level: string, destination?: NodeJS.WritableStream): Logger {
  const opts: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[REDACTED]' },
  };
  return destination ? pino(opts, destination as DestinationStream) : pino(opts);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's x-request-id when it is sane, else makes a new one. */
export function correlationIdFrom(header: string | string[] | undefined, fallback: () => string): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && REQUEST_ID.test(v) ? v : fallback();
}
