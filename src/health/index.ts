/** The health module offers nothing to other modules: it only serves /health and /health/live. */
export { HealthModule } from './health.module';
