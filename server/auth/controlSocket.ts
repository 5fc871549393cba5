// The owner-only local control channel: a Pulse that owns the embedded database (PGlite is one
// process's database) answers the admin CLI on a Unix socket in its data folder,
// `<PULSE_DATA_DIR>/pulse-control.sock`, mode 0600 in a 0700 folder, so only the OS user running
// Pulse (and root) can reach it. One route: POST /command with {command, args}
// (./adminCommands.ts); the answer is {ok:true, message, data, pid} or {ok:false, error, reason, pid}.
import { chmodSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { log } from '@/server/log';
import { cliActor, runAdminCommand, type AdminResult } from './adminCommands';
import type { Auth } from './createAuth';

export const CONTROL_SOCKET_NAME = 'pulse-control.sock';
/** sun_path holds 108 bytes on Linux (104 on macOS); a longer path cannot be listened on */
const SOCKET_PATH_MAX = 103;
const BODY_MAX = 64 * 1024;

export const controlSocketPath = (dataDir: string) => path.join(path.resolve(dataDir), CONTROL_SOCKET_NAME);

export interface ControlSocket {
  path: string;
  close(): Promise<void>;
}

export interface ControlSocketOptions {
  dataDir: string;
  /** where people open Pulse, for the links the commands make (known once the server listens) */
  baseUrl: () => string | null;
}

/** does something answer on this Unix socket */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socketPath);
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1_000, () => done(false));
  });
}

/** the data folder holds the database and the socket: only its owner may enter it (when it is ours) */
function ownerOnly(dir: string): void {
  const st = statSync(dir);
  if (typeof process.getuid === 'function' && st.uid === process.getuid() && (st.mode & 0o077) !== 0) {
    chmodSync(dir, 0o700);
    log.info(`made the data folder ${dir} owner-only (0700): it holds the database and the control socket`);
  }
}

/** null (with a warning) when the socket cannot be served: Pulse runs on, the CLI then says the database is busy */
export async function startControlSocket(auth: Auth, opts: ControlSocketOptions): Promise<ControlSocket | null> {
  const dir = path.resolve(opts.dataDir);
  const socketPath = controlSocketPath(dir);
  if (Buffer.byteLength(socketPath) > SOCKET_PATH_MAX) {
    log.warn(`no control socket: its path ${socketPath} is longer than a Unix socket allows; npm run user:create and the other admin commands cannot reach this Pulse (use a shorter PULSE_DATA_DIR)`);
    return null;
  }
  try {
    ownerOnly(dir);
    if (await answers(socketPath)) {
      log.warn(`no control socket: another process already answers on ${socketPath}`);
      return null;
    }
    // a socket file left by a Pulse that did not stop cleanly
    rmSync(socketPath, { force: true });
  } catch (err) {
    log.warn('no control socket', { error: String(err) });
    return null;
  }

  const actor = cliActor();
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => void handle(req, res));
  const reply = (res: ServerResponse, status: number, body: AdminResult) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ...body, pid: process.pid }));
  };
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.url !== '/command') return reply(res, 404, { ok: false, error: 'the control socket answers POST /command only', reason: 'usage' });
      if (req.method !== 'POST') return reply(res, 405, { ok: false, error: 'use POST /command', reason: 'usage' });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > BODY_MAX) return reply(res, 413, { ok: false, error: `the command is larger than ${BODY_MAX} bytes`, reason: 'usage' });
        chunks.push(chunk);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(res, 400, { ok: false, error: 'the body must be JSON: {"command": "…", "args": {…}}', reason: 'usage' });
      }
      const result = await runAdminCommand(auth, { actor, baseUrl: opts.baseUrl() }, body);
      const command = (body as { command?: unknown })?.command;
      log.info(`control socket: ${typeof command === 'string' ? command.slice(0, 40) : 'a command'} ${result.ok ? 'done' : `refused (${result.error})`}`);
      reply(res, result.ok ? 200 : result.reason === 'usage' ? 400 : 409, result);
    } catch (err) {
      log.error('control socket: a command failed', { error: String(err) });
      if (!res.headersSent) reply(res, 500, { ok: false, error: 'the command failed inside Pulse; see its log', reason: 'refused' });
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // created 0600 from the start where the umask allows it; chmod right after for the rest
      const old = process.umask(0o177);
      try {
        server.listen(socketPath, () => resolve());
      } finally {
        process.umask(old);
      }
    });
    chmodSync(socketPath, 0o600);
  } catch (err) {
    server.close();
    log.warn('no control socket', { error: String(err), path: socketPath });
    return null;
  }
  log.info(`admin commands (npm run user:create, key:create, …) reach this Pulse on ${socketPath}`);

  let closing: Promise<void> | undefined;
  return {
    path: socketPath,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(() => rmSync(socketPath, { force: true }))),
  };
}

export type ControlAnswer = (AdminResult & { pid: number | null }) | { ok: false; unreachable: true; error: string };

/**
 * Sends one command to the Pulse listening on the socket. `unreachable` when nothing listens
 * there (no socket file, or a stale one): the command was not delivered, so the caller may run
 * it itself. Any other failure after connecting is an error, since the command may have run.
 */
export function askControlSocket(socketPath: string, body: { command: string; args: unknown }, timeoutMs = 30_000): Promise<ControlAnswer> {
  return new Promise((resolve) => {
    let connected = false;
    const payload = JSON.stringify(body);
    const req = request(
      { socketPath, path: '/command', method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdminResult & { pid?: number };
            resolve({ ...parsed, pid: typeof parsed.pid === 'number' ? parsed.pid : null });
          } catch {
            resolve({ ok: false, error: `the running Pulse answered something that is not JSON (HTTP ${res.statusCode})`, reason: 'refused', pid: null });
          }
        });
        res.on('error', (err) => resolve({ ok: false, error: `the answer broke off: ${err.message}`, reason: 'refused', pid: null }));
      },
    );
    req.on('socket', (s) => s.once('connect', () => (connected = true)));
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK')) resolve({ ok: false, unreachable: true, error: err.message });
      else resolve({ ok: false, error: `asking the running Pulse on ${socketPath} failed: ${err.message}`, reason: 'refused', pid: null });
    });
    req.end(payload);
  });
}
