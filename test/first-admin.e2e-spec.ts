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

    beforeAll(async () => {
      t = await startTestApp({ env: { EDS_ADMIN_EMAIL: undefined, EDS_ADMIN_PASSWORD: undefined } });
      const line = t.logger.lines.find((l) => l.includes('/dashboard/setup?token='));
      if (!line) throw new Error(`no setup link printed:\n${t.logger.text()}`);
      link = /(\/dashboard\/setup\?token=[A-Za-z0-9_-]+)/.exec(line)![1];
    });
    afterAll(async () => {
      await t.destroy();
    });

    it('prints a one-time setup link and creates no manager', async () => {
      expect(await t.sql(`SELECT id FROM managers`)).toEqual([]);
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
    });
  });
});
