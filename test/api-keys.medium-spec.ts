import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyAuthenticator } from '../src/api-keys/api-key-authenticator.service';
import { ApiKeyCache } from '../src/api-keys/api-key.cache';
import { ApiKey } from '../src/api-keys/api-key.entity';
import { hashApiKey } from '../src/api-keys/api-key-format';
import { ApiKeyRepository } from '../src/api-keys/api-key.repository';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { KeyLeakReportsService } from '../src/api-keys/key-leak-reports.service';
import { AuditModule, AuditService } from '../src/audit';
import { Clock, ClockModule } from '../src/common/clock';
import { type Actor, ManagersModule, ManagersService } from '../src/managers';
import { startMedium, type MediumTest } from './support/medium';

const DAY = 24 * 3600_000;
const refusal = (code: string, status: number): object => expect.objectContaining({ code, status });

describe('ApiKeysService on PostgreSQL (no HTTP)', () => {
  let m: MediumTest;
  let sut: ApiKeysService;
  let authenticator: ApiKeyAuthenticator;
  let audit: AuditService;
  let now: number;
  let counter = 0;

  const manager = async (role: 'manager' | 'admin' = 'manager'): Promise<Actor> => {
    const s = await m.module.get(ManagersService).create(`medium-${++counter}-${role}@example.com`, 'long-enough-password', role);
    return { id: s.id, email: s.email, role: s.role };
  };

  beforeAll(async () => {
    m = await startMedium({
      imports: [TypeOrmModule.forFeature([ApiKey]), AuditModule, ClockModule, ManagersModule],
      providers: [ApiKeysService, ApiKeyAuthenticator, ApiKeyRepository, ApiKeyCache, KeyLeakReportsService],
    });
    sut = m.module.get(ApiKeysService);
    authenticator = m.module.get(ApiKeyAuthenticator);
    audit = m.module.get(AuditService);
    now = Date.now();
    jest.spyOn(m.module.get(Clock), 'now').mockImplementation(() => new Date(now));
  });
  afterAll(() => m.destroy());

  it('stores only the hash and the last four, and audits the creation in the same transaction', async () => {
    const owner = await manager();
    const { key, plaintext } = await sut.generate(owner, '  backup  ', { scopes: ['files:read'] });
    const [row] = await m.sql<{ key_hash: string; last_four: string; name: string }>('SELECT key_hash, last_four, name FROM api_keys WHERE id = $1', [key.id]);
    expect(row).toEqual({ key_hash: hashApiKey(plaintext), last_four: plaintext.slice(-4), name: 'backup' });
    expect(JSON.stringify(await m.sql('SELECT * FROM api_keys'))).not.toContain(plaintext);
    expect((await audit.forSubject('api_key', key.id)).map((e) => e.action)).toEqual(['api_key.created']);
  });

  it('refuses a key with no scope, and an expiry in the past, with catalog errors', async () => {
    const owner = await manager();
    await expect(sut.generate(owner, 'none', { scopes: [] })).rejects.toEqual(refusal('NoScopeChosen', 400));
    await expect(sut.generate(owner, 'past', { expiry: { kind: 'date', date: '2001-01-01' } })).rejects.toEqual(refusal('ExpiryDatePast', 400));
  });

  it('scopes reads by owner: a manager sees only their keys, an admin every key', async () => {
    const alice = await manager();
    const bob = await manager();
    const admin = await manager('admin');
    const { key } = await sut.generate(bob, 'bob');
    await expect(sut.getVisibleTo(alice, key.id)).rejects.toEqual(refusal('ApiKeyNotFound', 404));
    await expect(sut.deactivate(alice, key.id)).rejects.toEqual(refusal('ApiKeyNotFound', 404));
    expect((await sut.getVisibleTo(admin, key.id)).owner).toEqual({ id: bob.id, email: bob.email });
    expect((await sut.listVisibleTo(alice)).map((k) => k.id)).not.toContain(key.id);
    expect((await sut.listVisibleTo(admin)).map((k) => k.id)).toContain(key.id);
  });

  it('deactivates once (idempotent, one audit entry), and the key no longer authenticates', async () => {
    const owner = await manager();
    const { key, plaintext } = await sut.generate(owner, 'to stop');
    expect(await authenticator.authenticate(plaintext)).toEqual(expect.objectContaining({ keyId: key.id }));
    expect((await sut.deactivate(owner, key.id)).isActive).toBe(false);
    expect((await sut.deactivate(owner, key.id)).isActive).toBe(false);
    expect(await authenticator.authenticate(plaintext)).toBeNull();
    expect((await audit.forSubject('api_key', key.id)).filter((e) => e.action === 'api_key.deactivated')).toHaveLength(1);
  });

  it('rolls with grace: both keys work until the grace ends; a second roll and a roll of a stopped key are refused', async () => {
    const owner = await manager();
    const old = await sut.generate(owner, 'deploy', { expiry: { kind: 'days', days: 30 } });
    const next = await sut.roll(owner, old.key.id, '1h');
    expect(next.key.name).toBe('deploy');
    expect(await authenticator.authenticate(old.plaintext)).not.toBeNull();
    expect(await authenticator.authenticate(next.plaintext)).not.toBeNull();
    await expect(sut.roll(owner, old.key.id, '1h')).rejects.toEqual(refusal('KeyAlreadyRolled', 409));
    now += 3600_000;
    expect(await authenticator.authenticate(old.plaintext)).toBeNull();
    expect(await authenticator.authenticate(next.plaintext)).not.toBeNull();
    await expect(sut.roll(owner, old.key.id, 'none')).rejects.toEqual(refusal('KeyNotRollable', 409));
  });

  it('deletes only a key that no longer works', async () => {
    const owner = await manager();
    const { key } = await sut.generate(owner, 'short');
    await expect(sut.delete(owner, key.id)).rejects.toEqual(refusal('KeyStillWorking', 409));
    await sut.deactivate(owner, key.id);
    await sut.delete(owner, key.id);
    await expect(sut.getVisibleTo(owner, key.id)).rejects.toEqual(refusal('ApiKeyNotFound', 404));
    expect((await audit.forSubject('api_key', key.id)).map((e) => e.action)).toContain('api_key.deleted');
  });

  it('records each expiry once, however often it is asked', async () => {
    const owner = await manager();
    const { key } = await sut.generate(owner, 'week', { expiry: { kind: 'days', days: 7 } });
    now += 8 * DAY;
    expect(await sut.recordExpiries()).toBeGreaterThanOrEqual(1);
    expect(await sut.recordExpiries()).toBe(0);
    expect((await audit.forSubject('api_key', key.id)).filter((e) => e.action === 'api_key.expired')).toHaveLength(1);
  });

  it('keeps allowed networks canonical, refuses bad ones by code, and compiles them onto the principal', async () => {
    const owner = await manager();
    const { key, plaintext } = await sut.generate(owner, 'office', { allowedNetworks: '10.1.2.3/8\n2001:db8::1' });
    expect(key.allowedNetworks).toEqual(['10.0.0.0/8', '2001:db8::1/128']);
    await expect(sut.setNetworks(owner, key.id, ['10.0.0.0/8', 'nowhere'])).rejects.toEqual(refusal('BadAllowedNetworks', 400));
    const principal = await authenticator.authenticate(plaintext);
    expect(principal?.networks?.allows('10.9.9.9')).toBe(true);
    expect(principal?.networks?.allows('192.0.2.1')).toBe(false);
    expect((await sut.setNetworks(owner, key.id, [])).allowedNetworks).toEqual([]);
    expect((await authenticator.authenticate(plaintext))?.networks).toBeNull();
  });

  it('a leak report stops only active listed keys, flags and audits them; rolling clears the flag', async () => {
    const owner = await manager();
    const leaked = await sut.generate(owner, 'leaked');
    const bystander = await sut.generate(owner, 'bystander');
    const reports = m.module.get(KeyLeakReportsService);
    expect(await reports.report([leaked.plaintext, 'junk'], { ip: '192.0.2.9', userAgent: 'scanner' })).toBe(2);
    expect(await authenticator.authenticate(leaked.plaintext)).toBeNull();
    expect(await authenticator.authenticate(bystander.plaintext)).not.toBeNull();
    expect((await sut.getVisibleTo(owner, leaked.key.id)).leakReportedAt).toBeInstanceOf(Date);
    const [entry] = (await audit.forSubject('api_key', leaked.key.id)).filter((e) => e.action === 'api_key.reported_leaked');
    expect(entry).toEqual(expect.objectContaining({ clientIp: '192.0.2.9', userAgent: 'scanner', actorEmail: null }));
    // Reported again: nothing left to stop, nothing new in the trail.
    await reports.report([leaked.plaintext], { ip: '192.0.2.9', userAgent: 'scanner' });
    expect((await audit.forSubject('api_key', leaked.key.id)).filter((e) => e.action === 'api_key.reported_leaked')).toHaveLength(1);
    const next = await sut.roll(owner, leaked.key.id, '24h');
    expect(await authenticator.authenticate(next.plaintext)).not.toBeNull();
    expect(await authenticator.authenticate(leaked.plaintext)).toBeNull();
    expect((await sut.getVisibleTo(owner, leaked.key.id)).leakReportedAt).toBeNull();
  });
});
