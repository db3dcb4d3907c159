// Structured JSON logs, one object per line. Request logs carry the uid,
// object kind, namespace and name, never the object itself.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export type LogSink = (line: string) => void;

export class Logger {
  constructor(private readonly sink: LogSink, private readonly level: LogLevel = 'info', private readonly clock: () => Date = () => new Date()) {}
  /** Whether a line at `level` is written, so callers can skip building fields nobody reads. */
  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }
  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.enabled(level)) return;
    this.sink(`${JSON.stringify({ time: this.clock().toISOString(), level, msg, ...fields })}\n`);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
}

export const silentLogger = new Logger(() => undefined, 'error');
