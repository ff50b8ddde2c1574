import type TestAgent from 'supertest/lib/agent';
import { Clock } from '../../src/common/clock';
import { csrfFrom, csrfOn } from './factories';
import type { TestApp } from './test-app';

/** Helpers for the key life-cycle specs (test/key-*.e2e-spec.ts). */

export const KEY_PATTERN = /exstr_live_[0-9a-f]{32}/;
export const INVALID = { statusCode: 401, error: 'Unauthorized', message: 'Invalid or inactive API key' };
export const DAY = 24 * 3600_000;

/** The app's Clock, moved by hand: no sleeps. Starts at the real time. */
export interface TestClock {
  now(): Date;
  set(at: Date): void;
  advance(ms: number): void;
  restore(): void;
}

export function controlClock(t: TestApp, start = new Date()): TestClock {
  let current = start.getTime();
  const spy = jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(current));
  return {
    now: () => new Date(current),
    set: (at) => {
      current = at.getTime();
    },
    advance: (ms) => {
      current += ms;
    },
    restore: () => spy.mockRestore(),
  };
}

/** The `<tr data-key-id>` row of a key on the list page (its inner HTML), or undefined. */
export function rowOf(html: string, id: string): string | undefined {
  return new RegExp(`<tr data-key-id="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(html)?.[1];
}

/** Posts the "Generate New Key" form like a browser (scope boxes and all) and answers the new key. */
export async function generateInDashboard(
  agent: TestAgent,
  fields: { name: string; expiry?: string; expiresOn?: string; scopes?: string[]; allowedNetworks?: string },
): Promise<{ id: string; key: string; html: string }> {
  const csrf = await csrfOn(agent, '/dashboard/api-keys');
  const res = await agent
    .post('/dashboard/api-keys')
    .type('form')
    // Like a browser: the scope boxes come ticked, so all of them unless the test narrows it.
    .send(formBody({ _csrf: csrf, scopesShown: '1', scopes: ['files:read', 'files:write', 'files:delete'], ...fields }))
    .expect(201);
  const key = KEY_PATTERN.exec(res.text)?.[0];
  if (!key) throw new Error('no key on the created page');
  const id = /data-key-id="([0-9a-f-]{36})"/.exec(res.text)?.[1] ?? '';
  return { id, key, html: res.text };
}

/** Rolls a key through its roll page (the grace select posts with _csrf). */
export async function rollInDashboard(agent: TestAgent, id: string, grace: string): Promise<{ key: string; html: string }> {
  const page = await agent.get(`/dashboard/api-keys/${id}/roll`).expect(200);
  expect(page.text).toMatch(new RegExp(`<form method="post" action="/dashboard/api-keys/${id}/roll"`));
  const res = await agent.post(`/dashboard/api-keys/${id}/roll`).type('form').send({ _csrf: csrfFrom(page.text), grace }).expect(201);
  expect(res.headers['cache-control']).toBe('no-store');
  const key = KEY_PATTERN.exec(res.text)?.[0];
  if (!key) throw new Error('no key on the roll answer');
  return { key, html: res.text };
}

/** Deactivates through the confirmation page, as a manager would. */
export async function deactivateInDashboard(agent: TestAgent, id: string): Promise<void> {
  const page = await agent.get(`/dashboard/api-keys/${id}/deactivate`).expect(200);
  await agent.post(`/dashboard/api-keys/${id}/deactivate`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
}

/** URL-encodes with repeated keys for arrays (as a browser sends checkboxes). */
function formBody(fields: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}
