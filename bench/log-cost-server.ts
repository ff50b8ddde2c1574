/**
 * The request line's price, in one process: two identical routes on Fastify
 * with EDS's own logger, request-log controller and options
 * (`requestLogging`), one of them logged and one not. The bench loads them in
 * turns and compares server CPU per request. The level is the shipped one
 * (validated config), and stdout is a pipe another process reads.
 */
import fastify from 'fastify';
import { loggingConfig } from '../src/config';
import { createLogger, RequestLogController, requestLogging } from '../src/logging/logger';

const ME = { keyId: '00000000-0000-4000-8000-000000000000', name: 'bench', owner: { id: '00000000-0000-4000-8000-000000000001', email: 'bench@example.com' }, createdAt: new Date(0).toISOString(), scopes: ['files:read', 'files:write', 'files:delete'], expiresAt: null };

async function main(): Promise<void> {
  const logger = createLogger({ level: loggingConfig().level });
  const app = fastify(requestLogging(logger, new RequestLogController((url) => url === '/unlogged' || url === '/ready')));
  const answer = async () => ME;
  app.get('/logged', answer);
  app.get('/unlogged', answer);
  app.get('/ready', async () => 'ok');
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
