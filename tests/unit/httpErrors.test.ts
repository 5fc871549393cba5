import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
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
  const keys = new StaticKeys(['ingest-key-0123456789', 'both-key-0123456789abc'], ['admin-key-0123456789', 'both-key-0123456789abc']);
  const authorize = createAuthorizer(keys);
  const ask = (headers: Record<string, string>, query = '') => ({ req: { headers } as unknown as IncomingMessage, query: new URLSearchParams(query) });
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'allowed';
    } catch (err) {
      return (err as HttpError).code;
    }
  };

  it('returns the principal with its roles and a non-secret fingerprint', () => {
    const p = authorize(ask({ authorization: 'Bearer ingest-key-0123456789' }), 'events:write');
    expect(p).toMatchObject({ kind: 'api_key', roles: ['ingest'], via: 'bearer' });
    expect(p.kind === 'api_key' && p.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(authorize(ask({}), 'metrics:read')).toEqual({ kind: 'anonymous' });
  });

  it('grants each permission only to its role', () => {
    const ingest = { authorization: 'Bearer ingest-key-0123456789' };
    const admin = { authorization: 'bearer admin-key-0123456789' };
    const both = { authorization: 'Bearer both-key-0123456789abc' };
    expect(code(() => authorize(ask(ingest), 'inventory:write'))).toBe('forbidden');
    expect(code(() => authorize(ask(ingest), 'dead-letters:manage'))).toBe('forbidden');
    expect(code(() => authorize(ask(admin), 'events:write'))).toBe('forbidden');
    expect(code(() => authorize(ask(admin), 'inventory:write'))).toBe('allowed');
    expect(code(() => authorize(ask(both), 'events:write'))).toBe('allowed');
    expect(code(() => authorize(ask(both), 'dead-letters:manage'))).toBe('allowed');
  });

  it('reads ?key= only for events:write from a text/plain body', () => {
    expect(authorize(ask({ 'content-type': 'text/plain;charset=UTF-8' }, 'key=ingest-key-0123456789'), 'events:write')).toMatchObject({ via: 'beacon_query' });
    expect(code(() => authorize(ask({ 'content-type': 'application/json' }, 'key=ingest-key-0123456789'), 'events:write'))).toBe('missing_key');
    expect(code(() => authorize(ask({ 'content-type': 'text/plain' }, 'key=admin-key-0123456789'), 'inventory:write'))).toBe('admin_key_required');
  });

  it('refuses keys that are absurdly long without hashing them', () => {
    expect(code(() => authorize(ask({ authorization: `Bearer ${'k'.repeat(600)}` }), 'events:write'))).toBe('unknown_key');
  });
});
