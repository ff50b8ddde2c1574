import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { keysConfig } from '../config';
import type { Actor } from '../managers';
import { ApiKeysService } from './api-keys.service';
import { type HygieneSummary, type HygieneThresholds, type KeyReview, reviewKey, summarize } from './key-hygiene';

export interface KeyListReview {
  /** The instant the review was made at (pages show times relative to it). */
  now: Date;
  thresholds: HygieneThresholds;
  reviews: KeyReview[];
  summary: HygieneSummary;
}

/** Reads the key list against the hygiene thresholds, so the dashboard can act on them. */
@Injectable()
export class KeyHygieneService {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly clock: Clock,
    @Inject(keysConfig.KEY) private readonly thresholds: ConfigType<typeof keysConfig>,
  ) {}

  async reviewVisibleTo(actor: Actor): Promise<KeyListReview> {
    const keys = await this.apiKeys.listVisibleTo(actor);
    const now = this.clock.now();
    const reviews = keys.map((key) => reviewKey(key, now, this.thresholds));
    return { now, thresholds: this.thresholds, reviews, summary: summarize(reviews) };
  }

  /** 404 for a key the actor cannot see. */
  async reviewOne(actor: Actor, id: string): Promise<KeyReview & { now: Date }> {
    const key = await this.apiKeys.getVisibleTo(actor, id);
    const now = this.clock.now();
    return { ...reviewKey(key, now, this.thresholds), now };
  }
}
