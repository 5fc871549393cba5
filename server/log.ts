/** Minimal structured logger: one line per message, never given secrets. */

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: Level = 'info';
let silent = false;

export function setLogLevel(level: Level): void {
  threshold = level;
}

/** tests silence the logger */
export function setLogSilent(value: boolean): void {
  silent = value;
}

let tap: ((line: string) => void) | null = null;

/** tests: receive every line at or above the level, even while silenced (null removes the tap) */
export function setLogTap(fn: ((line: string) => void) | null): void {
  tap = fn;
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (order[level] < order[threshold] || (silent && !tap)) return;
  const extra = fields ? ' ' + JSON.stringify(fields) : '';
  const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${extra}\n`;
  tap?.(line);
  if (silent) return;
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
}

export const log = {
  debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
  info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
  warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
  error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
};
