import type { IncomingMessage, ServerResponse } from 'node:http';
import { log } from '@/server/log';
import { HttpError, INTERNAL_ERROR } from './errors';
import { sendError } from './respond';
import { applySecurityHeaders, type SecurityHeaderOptions } from './securityHeaders';

/*
 * The route table of the custom server.
 *
 * What stays here, and why: POST /api/events (ingest), GET /api/metrics/live, GET /api/health,
 * GET /metrics and socket.io. Next's App Router adds about 1.3 ms per request whatever the body
 * (PLATFORM-NOTES, "Next.js route handlers vs the custom server": 730 single-event req/s as a
 * route handler against 11,800 here), and trackers send one event per request, so ingest in a
 * route handler would cap the product at a few hundred events per second per core. Health and
 * the metrics endpoints are polled by probes, scrapers and screens that cannot hold a socket,
 * must answer while Next is busy or not loaded (worker processes run no Next at all), and read
 * state owned by this process (a route handler gets its own copy of imported modules).
 *
 * What may become Next route handlers: low-rate admin and page data (inventory, dead letters,
 * per-user and per-session lookups, and later rules, users and history), once they reach their
 * stores through one owner rather than a second module instance. They are here today only
 * because their state lives in this process.
 *
 * Why a small table rather than find-my-way: for this dozen of routes the table finds
 * POST /api/events in ~15 ns (a Map lookup) and a `:id` route in ~175 ns, find-my-way 9.10.1 in
 * ~65 ns and ~200 ns; a single-event request costs ~85 µs in total, so neither shows, and the
 * table needs no dependency and does exactly the 400/405/fallback rules below.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** the raw (still percent-encoded) path, without the query */
  path: string;
  query: URLSearchParams;
  /** decoded `:name` segments of the route pattern */
  params: Readonly<Record<string, string>>;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface Route {
  method: Method;
  /** `/api/users/:id`: static segments match literally, `:name` matches one non-empty segment */
  path: string;
  handler: RouteHandler;
}

/** ids in paths are client data, but one never needs more than this */
export const MAX_PATH_PARAM_LENGTH = 256;

interface Pattern {
  segments: string[];
  /** index → param name, for the `:name` segments */
  names: (string | null)[];
  handlers: Map<string, RouteHandler>;
  allow: string;
}

export interface RouterOptions {
  /** paths no route matches (Next); without it they get a JSON 404 */
  fallback?: RawHandler;
  /** every response gets the security headers; without options, as for plain HTTP without a proxy */
  securityHeaders?: SecurityHeaderOptions;
}

/** Builds the request listener for the HTTP server from the table. */
export function createRouter(routes: readonly Route[], opts: RouterOptions = {}): RawHandler {
  const exact = new Map<string, Pattern>();
  const parameterised: Pattern[] = [];
  const byPath = new Map<string, Pattern>();
  for (const route of routes) {
    let pattern = byPath.get(route.path);
    if (!pattern) {
      const segments = route.path.split('/');
      const names = segments.map((s) => (s.startsWith(':') ? s.slice(1) : null));
      pattern = { segments, names, handlers: new Map(), allow: '' };
      byPath.set(route.path, pattern);
      if (names.every((n) => n === null)) exact.set(route.path, pattern);
      else parameterised.push(pattern);
    }
    if (pattern.handlers.has(route.method)) throw new Error(`route ${route.method} ${route.path} is defined twice`);
    pattern.handlers.set(route.method, route.handler);
  }
  for (const pattern of byPath.values()) pattern.allow = [...pattern.handlers.keys()].join(', ');

  const match = (path: string): { pattern: Pattern; raw: string[] | null } | null => {
    const found = exact.get(path);
    if (found) return { pattern: found, raw: null };
    if (parameterised.length === 0) return null;
    const raw = path.split('/');
    for (const pattern of parameterised) {
      if (pattern.segments.length !== raw.length) continue;
      let ok = true;
      for (let i = 0; i < raw.length && ok; i++) {
        ok = pattern.names[i] === null ? pattern.segments[i] === raw[i] : raw[i].length > 0;
      }
      if (ok) return { pattern, raw };
    }
    return null;
  };

  return async function handleRequest(req, res) {
    let path = '/';
    applySecurityHeaders(req, res, opts.securityHeaders ?? { trustProxy: false, dev: false });
    try {
      const target = splitTarget(req.url ?? '/');
      path = target.path;
      const found = match(path);
      if (!found) {
        if (opts.fallback) return await opts.fallback(req, res);
        throw new HttpError('not_found', `no route for ${excerptPath(path)}`);
      }
      const { pattern } = found;
      // HEAD is GET without a body (Node drops the body of a HEAD response by itself)
      const method = req.method === 'HEAD' && !pattern.handlers.has('HEAD') ? 'GET' : (req.method ?? 'GET');
      const handler = pattern.handlers.get(method);
      if (!handler) throw new HttpError('method_not_allowed', `use ${pattern.allow.replace(/, /g, ' or ')}`, { Allow: pattern.allow });
      const params = found.raw ? decodeParams(pattern, found.raw) : NO_PARAMS;
      await handler({ req, res, path, query: new URLSearchParams(target.search), params });
    } catch (err) {
      answerFailure(req, res, path, err);
    }
  };
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

function decodeParams(pattern: Pattern, raw: string[]): Record<string, string> {
  // null prototype: a client may name its id `__proto__` or `constructor`
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < raw.length; i++) {
    const name = pattern.names[i];
    if (name === null) continue;
    let value: string;
    try {
      value = decodeURIComponent(raw[i]);
    } catch {
      // a stray `%`, `%ZZ`, or bytes that are not UTF-8 (`%E0%A4%A`)
      throw new HttpError('bad_request', `the ${name} in the path is not valid percent-encoded UTF-8: "${excerptPath(raw[i])}"`);
    }
    if (value.length > MAX_PATH_PARAM_LENGTH) {
      throw new HttpError('bad_request', `the ${name} in the path is longer than ${MAX_PATH_PARAM_LENGTH} characters`);
    }
    params[name] = value;
  }
  return params;
}

/**
 * The path and query of a request target without building a URL object (the hot path needs
 * neither the host nor normalisation). An absolute-form target (`http://host/path`, sent to
 * proxies) is reduced to its path; `new URL` would also have read `//x/…` as a host.
 */
function splitTarget(target: string): { path: string; search: string } {
  let start = 0;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
    if (!authority) throw new HttpError('bad_request', 'the request target must be a path starting with "/"');
    start = authority[0].length;
  }
  const q = target.indexOf('?', start);
  const path = (q < 0 ? target.slice(start) : target.slice(start, q)) || '/';
  return { path, search: q < 0 ? '' : target.slice(q + 1) };
}

function excerptPath(path: string): string {
  const printable = path.replace(/[^\x21-\x7e]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 80)}…` : printable;
}

/**
 * Refusals are answered with their code; anything else is a bug or an outage: the client gets a
 * generic 500 and the log gets the path (never the query, which may hold a beacon's key) and the
 * error, with credentials in URLs masked.
 */
function answerFailure(req: IncomingMessage, res: ServerResponse, path: string, err: unknown): void {
  const known = err instanceof HttpError ? err : null;
  if (!known) {
    log.error('request failed', { method: req.method, path: excerptPath(path), error: describe(err) });
  }
  try {
    if (res.headersSent) res.destroy();
    else sendError(res, known ?? INTERNAL_ERROR);
  } catch {
    // the socket is already gone: nothing left to tell the client
    res.destroy();
  }
}

function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 500).replace(/(\/\/)[^/@\s]*@/g, '$1***@');
}
