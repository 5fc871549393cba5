import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseCli } from './options';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseCli(argv, env);
  if (r.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(r)}`);
  return r.options;
};

describe('simulator options', () => {
  it('has defaults that talk to a local Pulse with the demo key', () => {
    expect(run([])).toEqual({ url: DEFAULTS.url, key: 'demo-ingest-key-local', rate: 50, duration: null, batch: 50, fraud: 0.02, seed: null, quiet: false, seedInventory: false, adminKey: null });
  });

  it('takes the key from --key, then PULSE_INGEST_KEY, then the first of INGEST_API_KEYS', () => {
    expect(run([], { INGEST_API_KEYS: ' first , second' }).key).toBe('first');
    expect(run([], { INGEST_API_KEYS: 'first', PULSE_INGEST_KEY: 'mine' }).key).toBe('mine');
    expect(run(['--key', 'flag'], { PULSE_INGEST_KEY: 'mine' }).key).toBe('flag');
  });

  it('takes the URL from --url or PULSE_URL', () => {
    expect(run([], { PULSE_URL: 'https://pulse.example.com/' }).url).toBe('https://pulse.example.com');
    expect(run(['--url', 'http://127.0.0.1:3300'], { PULSE_URL: 'https://x.example' }).url).toBe('http://127.0.0.1:3300');
  });

  it('parses numbers, seeds and flags', () => {
    expect(run(['--rate', '0.5', '--duration', '30', '--batch', '1', '--fraud', '0.5', '--seed', '42', '-q', '--seed-inventory', '--admin-key', 'adm'])).toMatchObject({
      rate: 0.5, duration: 30, batch: 1, fraud: 0.5, seed: 42, quiet: true, seedInventory: true, adminKey: 'adm',
    });
    expect(run(['--seed', 'black-friday']).seed).toEqual(run(['--seed', 'black-friday']).seed);
  });

  it('explains bad input', () => {
    expect(parseCli(['--batch', '501'], {})).toEqual({ kind: 'error', message: expect.stringMatching(/--batch must be a whole number from 1 to 500/) });
    expect(parseCli(['--rate', 'fast'], {})).toMatchObject({ kind: 'error', message: expect.stringMatching(/--rate/) });
    expect(parseCli(['--fraud', '2'], {})).toMatchObject({ kind: 'error' });
    expect(parseCli(['--url', 'ftp://x'], {})).toMatchObject({ kind: 'error' });
    expect(parseCli(['--nope'], {})).toMatchObject({ kind: 'error', message: expect.stringMatching(/nope/) });
    expect(parseCli(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCli(['--seed-inventory'], {})).toEqual({ kind: 'error', message: expect.stringMatching(/--seed-inventory needs an admin key/) });
    expect(parseCli(['--seed-inventory'], { ADMIN_API_KEYS: 'from-env,other' })).toMatchObject({ options: { adminKey: 'from-env' } });
  });
});
