import { blobEntries } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';
import { describeTusSuite } from './support/tus-suite';

describe('Resumable uploads over tus on the fs driver (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  describeTusSuite(() => ({ t, leftovers: (id) => blobEntries(t, id) }));
});
