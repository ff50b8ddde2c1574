import request from 'supertest';
import { csrfFrom } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

describe('First admin (e2e)', () => {
  it('creates the admin from EDS_ADMIN_EMAIL/EDS_ADMIN_PASSWORD on an empty database, running the migrations itself', async () => {
    const t = await startTestApp({ migrated: false, env: { EDS_ADMIN_EMAIL: 'Boss@Example.com', EDS_ADMIN_PASSWORD: 'boss-password-123' } });
    try {
      const migrations = await t.sql<{ name: string }>(`SELECT name FROM typeorm_migrations`);
      expect(migrations.length).toBeGreaterThan(0);
      const managers = await t.sql<{ email: string; role: string }>(`SELECT email, role FROM managers`);
      expect(managers).toEqual([{ email: 'boss@example.com', role: 'admin' }]);
    } finally {
      await t.destroy();
    }
  });

  describe('with no admin configured', () => {
    let t: TestApp;
    let link: string;

    let banner = '';

    beforeAll(async () => {
      const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array) => boolean;
      const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        if (String(chunk).includes('/dashboard/setup?token=')) banner += String(chunk);
        else return write(chunk);
        return true;
      });
      try {
        t = await startTestApp({ env: { EDS_ADMIN_EMAIL: undefined, EDS_ADMIN_PASSWORD: undefined } });
      } finally {
        spy.mockRestore();
      }
      const found = /(\/dashboard\/setup\?token=[A-Za-z0-9_-]+)/.exec(banner);
      if (!found) throw new Error(`no setup link printed:\n${t.logger.text()}`);
      link = found[1];
    });
    afterAll(async () => {
      await t.destroy();
    });

    it('prints a one-time setup link as a plain banner, keeps its token out of the log, and creates no manager', async () => {
      expect(await t.sql(`SELECT id FROM managers`)).toEqual([]);
      expect(banner).toMatch(/^\n=+\n  No manager exists yet/);
      expect(t.logger.text()).toContain('open the one-time setup link printed on the terminal');
      expect(t.logger.text()).not.toContain(link.split('token=')[1]);
    });

    it('says on the sign-in page that no admin exists yet and where the setup link is', async () => {
      const page = await request(t.http).get('/dashboard/login').expect(200);
      expect(page.text).toContain('No admin exists yet');
      expect(page.text).toContain('/dashboard/setup?token=');
      expect(page.text).not.toContain(link.split('token=')[1]);
    });

    it('refuses a wrong or missing token', async () => {
      await request(t.http).get('/dashboard/setup').expect(404);
      await request(t.http).get('/dashboard/setup?token=wrong').expect(404);
    });

    it('keeps the link usable after a form mistake, then creates the admin once and closes the link', async () => {
      const agent = request.agent(t.http);
      const token = link.split('token=')[1];
      let page = await agent.get(link).expect(200);
      const short = await agent
        .post('/dashboard/setup')
        .type('form')
        .send({ token, email: 'root@example.com', password: 'short', _csrf: csrfFrom(page.text) })
        .expect(400);
      expect(short.text).toMatch(/at least 12 characters/);
      page = await agent.get(link).expect(200);
      await agent
        .post('/dashboard/setup')
        .type('form')
        .send({ token, email: 'root@example.com', password: 'root-password-123', _csrf: csrfFrom(page.text) })
        .expect(303)
        .expect('Location', '/dashboard/api-keys');
      await agent.get('/dashboard/api-keys').expect(200);
      expect(await t.sql(`SELECT email, role FROM managers`)).toEqual([{ email: 'root@example.com', role: 'admin' }]);
      await request(t.http).get(link).expect(404);
      const login = await request(t.http).get('/dashboard/login').expect(200);
      expect(login.text).not.toContain('No admin exists yet');
    });
  });

  it('says in one log line that EDS_ADMIN_EMAIL/EDS_ADMIN_PASSWORD are ignored once managers exist', async () => {
    const first = await startTestApp();
    await first.close();
    const t = await startTestApp({
      databaseUrl: first.databaseUrl,
      env: { EDS_ADMIN_EMAIL: 'late@example.com', EDS_ADMIN_PASSWORD: 'late-password-123' },
    });
    try {
      const lines = t.logger.lines.filter((l) => l.includes('EDS_ADMIN_EMAIL/EDS_ADMIN_PASSWORD are ignored'));
      expect(lines).toHaveLength(1);
      expect(await t.sql(`SELECT id FROM managers WHERE email = 'late@example.com'`)).toEqual([]);
    } finally {
      await t.destroy();
    }
  });
});
