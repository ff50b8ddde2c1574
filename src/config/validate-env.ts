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

/** When a value is of the wrong kind, say only that (not also every range it misses). */
const KIND_CHECKS = ['isInt', 'isBoolean', 'isString', 'isUrl', 'isEmail', 'isIn'];

function describe(error: ValidationError): string {
  const constraints = error.constraints ?? {};
  const kind = Object.keys(constraints).filter((k) => KIND_CHECKS.includes(k));
  // class-validator's own messages already start with the property name.
  const reasons = (kind.length ? kind.map((k) => constraints[k]) : Object.values(constraints))
    .map((m) => (m.startsWith(`${error.property} `) ? m.slice(error.property.length + 1) : m))
    .join(', ');
  return `Invalid configuration: ${error.property} ${reasons}`;
}
