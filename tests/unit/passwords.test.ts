import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, verifyPassword } from '@/server/auth/passwords';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const h = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('stores scrypt with its parameters, never the password; salts differ', async () => {
    const a = await hashPassword('same-password-123');
    const b = await hashPassword('same-password-123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('same-password-123');
    const [alg, n, r, p, saltA] = a.split('$');
    expect([alg, n, r, p]).toEqual(['scrypt', String(2 ** 15), '8', '1']);
    expect(saltA).not.toBe(b.split('$')[4]);
    expect(Buffer.from(saltA, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('treats Unicode forms of the same password alike (NFKC)', async () => {
    const h = await hashPassword('caf\u00e9-password-1');
    expect(await verifyPassword('cafe\u0301-password-1', h)).toBe(true);
  });

  it('refuses tampered parameters and malformed hashes without throwing', async () => {
    const h = await hashPassword('tamper-password-1');
    const parts = h.split('$');
    const variant = (i: number, v: string) => parts.map((x, j) => (j === i ? v : x)).join('$');
    const tampered = [
      variant(1, String(2 ** 24)), // gigabytes of memory
      variant(1, '2'), // too cheap
      variant(1, 'abc'),
      variant(1, '1025'), // not a power of two: scrypt itself would throw
      variant(1, '1e4'),
      variant(2, '1000'),
      variant(3, '64'),
      variant(0, 'bcrypt'),
      variant(5, ''), // no hash: everything would match
      variant(5, 'AAAA'),
      variant(1, String(2 ** 14)), // a valid but different cost: different key
      parts.slice(0, 5).join('$'),
      '',
      'plaintext',
      `${h}$extra`,
    ];
    for (const t of tampered) await expect(verifyPassword('tamper-password-1', t), t).resolves.toBe(false);
  });

  it('a different salt gives a different key: swapping salts fails', async () => {
    const a = (await hashPassword('swap-password-12')).split('$');
    const b = (await hashPassword('swap-password-12')).split('$');
    const mixed = [...a.slice(0, 4), b[4], a[5]].join('$');
    expect(await verifyPassword('swap-password-12', mixed)).toBe(false);
  });

  it('the dummy hash matches nothing', async () => {
    const d = await dummyHash();
    expect(await verifyPassword('', d)).toBe(false);
    expect(await verifyPassword('password', d)).toBe(false);
  });
});
