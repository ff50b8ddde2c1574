import { Injectable } from '@nestjs/common';

/** The time rules (upload expiry) are judged by; tests move it instead of sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
