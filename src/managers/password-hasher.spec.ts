import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const sut = new PasswordHasher();

  it('hashes with argon2id at OWASP parameters (m=19 MiB, t=2, p=1)', async () => {
    const hashed = await sut.hash('correct horse battery staple');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hashed).not.toContain('correct horse');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hashed = await sut.hash('correct horse battery staple');
    await expect(sut.verify(hashed, 'correct horse battery staple')).resolves.toBe(true);
    await expect(sut.verify(hashed, 'Correct horse battery staple')).resolves.toBe(false);
  });

  it('salts: the same password hashes differently twice', async () => {
    await expect(sut.hash('same password here')).resolves.not.toBe(await sut.hash('same password here'));
  });

  it('refuses when there is no account (null hash), even for the decoy password', async () => {
    await expect(sut.verify(null, 'eds-decoy-password')).resolves.toBe(false);
  });

  it('refuses a malformed stored hash instead of throwing', async () => {
    await expect(sut.verify('not-a-hash', 'whatever')).resolves.toBe(false);
  });
});
