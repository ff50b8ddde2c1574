import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { ApiKeysService } from '../../src/api-keys/api-keys.service';
import type { Actor } from '../../src/managers/actor';
import type { ManagerRole } from '../../src/managers/manager.entity';
import { ManagersService } from '../../src/managers/managers.service';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestApp } from './test-app';

let counter = 0;
const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++counter}`;

export async function createManager(
  t: TestApp,
  role: ManagerRole = 'manager',
  password = 'manager-password-123',
): Promise<Actor & { password: string }> {
  const summary = await t.app.get(ManagersService).create(`${unique(role)}@example.com`, password, role);
  return { id: summary.id, email: summary.email, role: summary.role, password };
}

export async function adminActor(t: TestApp): Promise<Actor> {
  const admin = await t.app.get(ManagersService).verifyCredentials(ADMIN_EMAIL, ADMIN_PASSWORD);
  if (!admin) throw new Error('the bootstrap admin is missing');
  return admin;
}

/** A real key for `owner`, through the same service the dashboard uses. */
export async function createApiKey(t: TestApp, owner: Actor, name = unique('key')): Promise<{ id: string; key: string }> {
  const created = await t.app.get(ApiKeysService).generate(owner, name);
  return { id: created.key.id, key: created.plaintext };
}

/** `key` with its last hex digit changed: well-formed, never the same key (a random key may end in any digit). */
export function anotherKeyLike(key: string): string {
  return key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field on the page');
  return match[1];
}

/** A browser-like agent (cookie jar) signed in to the dashboard. */
export async function signIn(t: TestApp, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<TestAgent> {
  const agent = request.agent(t.http);
  const page = await agent.get('/dashboard/login').expect(200);
  await agent
    .post('/dashboard/login')
    .type('form')
    .send({ email, password, _csrf: csrfFrom(page.text) })
    .expect(303)
    .expect('Location', '/dashboard/api-keys');
  return agent;
}

/** GETs a page and returns its CSRF token. */
export async function csrfOn(agent: TestAgent, path: string): Promise<string> {
  const page = await agent.get(path).expect(200);
  return csrfFrom(page.text);
}
