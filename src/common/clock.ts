import { Injectable, Module } from '@nestjs/common';

/**
 * The time rules (upload expiry, key expiry, usage days, hygiene) are judged
 * by; tests move it instead of sleeping.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * One Clock for the whole app: every module that judges time imports this
 * module, so a test that moves the clock moves it everywhere.
 */
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
