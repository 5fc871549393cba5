import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@/server/config';

describe('loadConfig', () => {
  it('has working defaults with no environment at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, mode: 'embedded', INGEST_MAX_BATCH: 500, CORS_ALLOWED_ORIGINS: ['*'], INGEST_API_KEYS: [] });
  });

  it('splits comma-separated lists and treats empty values as unset', () => {
    const c = loadConfig({ INGEST_API_KEYS: ' key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb ', PORT: '' });
    expect(c.INGEST_API_KEYS).toEqual(['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb']);
    expect(c.PORT).toBe(3000);
  });

  it('names every bad variable and what it expects, hiding key values', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', INGEST_MAX_BATCH: '0', INGEST_API_KEYS: 'short', PULSE_UI: 'maybe' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('PORT="eighty": must be a number');
    expect(message).toContain('INGEST_MAX_BATCH="0": must be at least 1');
    expect(message).toContain('INGEST_API_KEYS=(hidden): each key must be at least 16 characters');
    expect(message).toContain('PULSE_UI="maybe": must be one of true/false');
    expect(message).not.toContain('short');
  });
});
