import { registerAs } from '@nestjs/config';
import { IsIn, IsOptional } from 'class-validator';
import { Trimmed } from './env-transformers';
import { validateEnv } from './validate-env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

class LoggingEnv {
  @IsOptional() @Trimmed() @IsIn(LOG_LEVELS)
  EDS_LOG_LEVEL?: LogLevel;
}

export interface LoggingConfig {
  /** `info` ships: one line per answered request (DESIGN.md §9). */
  level: LogLevel;
}

export const loggingConfig = registerAs('logging', (): LoggingConfig => {
  const env = validateEnv(LoggingEnv);
  return { level: env.EDS_LOG_LEVEL ?? 'info' };
});
