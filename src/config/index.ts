export { appConfig, type AppConfig } from './app.config';
export { authConfig, type AuthConfig } from './auth.config';
export { databaseConfig, type DatabaseConfig, useEmbeddedDatabase } from './database.config';
export { keysConfig, type KeysConfig } from './keys.config';
export { loggingConfig, type LoggingConfig, type LogLevel } from './logging.config';
export { serverConfig, type ServerConfig } from './server.config';
export { storageConfig, type StorageConfig } from './storage.config';
export { ConfigurationError } from './validate-env';
export { assertSupportedNode } from './runtime';

import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { keysConfig } from './keys.config';
import { loggingConfig } from './logging.config';
import { serverConfig } from './server.config';
import { storageConfig } from './storage.config';

/** Reads every namespace once, so a bad value stops the process before anything starts. */
export function validateConfiguration(): void {
  for (const load of [appConfig, authConfig, databaseConfig, keysConfig, loggingConfig, serverConfig, storageConfig]) load();
}
