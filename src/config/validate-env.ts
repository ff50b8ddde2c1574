import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

/**
 * Validates a slice of the environment against a class-validator schema.
 * Fails with one line per bad variable, naming it, so a misconfigured
 * deployment stops at boot with an actionable message.
 */
export function validateEnv<T extends object>(
  schema: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const instance = plainToInstance(schema, env, {
    enableImplicitConversion: false,
    excludeExtraneousValues: false,
  });
  const errors = validateSync(instance, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigurationError(errors.map(describe).join('\n'));
  }
  return instance;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join(', ');
  return `Invalid configuration: ${error.property} ${reasons}`;
}
