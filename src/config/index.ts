export { appConfig, type AppConfig } from './app.config';
export { authConfig, type AuthConfig } from './auth.config';
export { databaseConfig, type DatabaseConfig } from './database.config';
export { storageConfig, type StorageConfig } from './storage.config';
export { ConfigurationError } from './validate-env';
