import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createOriginPolicy } from '@/server/auth/origins';
import { createAuthorizer, StaticKeys } from '@/server/http/authorize';
import { parseMediaType } from '@/server/http/body';
import { excerpt, HttpError } from '@/server/http/errors';

describe('HttpError', () => {
  it('takes its status from the code alone', () => {
    expect(new HttpError('bad_request', 'x').status).toBe(400);
    expect(new HttpError('body_too_large', 'x').status).toBe(413);
    expect(new HttpError('unsupported_encoding', 'x').status).toBe(415);
    expect(new HttpError('backpressure', 'x', { 'Retry-After': '1' }).toBody()).toEqual({ error: { code: 'backpressure', message: 'x' } });
  });

  it('excerpts client input as short printable text', () => {
    expect(excerpt('br')).toBe('br');
    expect(excerpt('a\u0000b\u00ffc\n')).toBe('a\\u0000b\\u00ffc\\u000a');
    expect(excerpt('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('parseMediaType', () => {
  it('reads the essence and the charset in any case, quoted or not', () => {
    expect(parseMediaType(undefined)).toEqual({ essence: '', charset: null });
    expect(parseMediaType('Application/JSON')).toEqual({ essence: 'application/json', charset: null });
    expect(parseMediaType('application/json; foo=bar; Charset="UTF-8"')).toEqual({ essence: 'application/json', charset: 'utf-8' });
    expect(parseMediaType('text/plain;charset=ISO-8859-1')).toEqual({ essence: 'text/plain', charset: 'iso-8859-1' });
  });
});

describe('authorize', () => {
  // INGEST_API_KEYS are publishable, ADMIN_API_KEYS secret; a key in both is secret
  const keys = new StaticKeys(['ingest-key-0123456789', 'both-key-0123456789abc'], ['admin-key-0123456789', 'both-key-0123456789abc']);
  const authorize = createAuthorizer({
    keys,
    origins: createOriginPolicy({ allowed: [], trustProxy: false }),
    sessions: { user: async () => null, display: async () => null },
  });
  const ask = (headers: Record<string, string>, query = '', method = 'POST') => ({ req: { headers, method, socket: {} } as unknown as IncomingMessage, query: new URLSearchParams(query) });
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'allowed';
    } catch (err) {
      return (err as HttpError).code;
    }
  };

  it('returns the principal with its kind of key and a non-secret fingerprint', async () => {
    const p = await authorize(ask({ authorization: 'Bearer ingest-key-0123456789' }), 'events:write');
    expect(p).toMatchObject({ kind: 'key', keyKind: 'publishable', id: null, via: 'bearer' });
    expect(p.kind === 'key' && p.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(await code(authorize(ask({}), 'metrics:read'))).toBe('unauthenticated');
    expect(await code(authorize(ask({}), 'events:write'))).toBe('missing_key');
  });

  it('grants a publishable key events only, a secret key everything but an account', async () => {
    const ingest = { authorization: 'Bearer ingest-key-0123456789' };
    const admin = { authorization: 'bearer admin-key-0123456789' };
    const both = { authorization: 'Bearer both-key-0123456789abc' };
    expect(await code(authorize(ask(ingest), 'events:write'))).toBe('allowed');
    for (const permission of ['inventory:write', 'dead-letters:manage', 'metrics:read', 'analytics:read', 'history:read', 'pipeline:read', 'rules:manage'] as const) {
      expect({ permission, ingest: await code(authorize(ask(ingest), permission)), admin: await code(authorize(ask(admin), permission)) }).toEqual({
        permission,
        ingest: 'forbidden',
        admin: 'allowed',
      });
    }
    expect(await code(authorize(ask(admin), 'events:write'))).toBe('allowed');
    expect(await code(authorize(ask(admin), 'account:manage'))).toBe('forbidden');
    expect(await authorize(ask(both), 'dead-letters:manage')).toMatchObject({ keyKind: 'secret' });
  });

  it('reads ?key= only for events:write from a text/plain body', async () => {
    expect(await authorize(ask({ 'content-type': 'text/plain;charset=UTF-8' }, 'key=ingest-key-0123456789'), 'events:write')).toMatchObject({ via: 'beacon_query' });
    expect(await code(authorize(ask({ 'content-type': 'application/json' }, 'key=ingest-key-0123456789'), 'events:write'))).toBe('missing_key');
    expect(await code(authorize(ask({ 'content-type': 'text/plain' }, 'key=admin-key-0123456789'), 'inventory:write'))).toBe('unauthenticated');
    expect(await code(authorize(ask({ 'content-type': 'text/plain' }, 'key=admin-key-0123456789', 'GET'), 'metrics:read'))).toBe('unauthenticated');
  });

  it('refuses a wrong bearer key instead of treating it as anonymous', async () => {
    expect(await code(authorize(ask({ authorization: 'Bearer not-a-key-0123456789' }), 'metrics:read'))).toBe('unknown_key');
  });

  it('refuses keys that are absurdly long without hashing them', async () => {
    expect(await code(authorize(ask({ authorization: `Bearer ${'k'.repeat(600)}` }), 'events:write'))).toBe('unknown_key');
  });

  it('refuses pages of foreign origins on everything but ingest, even with a secret key', async () => {
    const admin = { authorization: 'Bearer admin-key-0123456789', host: 'pulse.test' };
    expect(await code(authorize(ask({ ...admin, origin: 'https://evil.example' }, '', 'GET'), 'metrics:read'))).toBe('origin_not_allowed');
    expect(await code(authorize(ask({ ...admin, origin: 'http://pulse.test' }, '', 'GET'), 'metrics:read'))).toBe('allowed');
    // ingest's origins are CORS_ALLOWED_ORIGINS, checked by its handler
    expect(await code(authorize(ask({ ...admin, origin: 'https://evil.example' }), 'events:write'))).toBe('allowed');
  });
});
