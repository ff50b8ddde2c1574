import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Client } from 'pg';
import { databaseConfig } from '../config';
import { ApiKeyCache } from './api-key.cache';

/** Postgres channel on which a revoked key's id is announced (sent by ApiKeyRepository). */
export const KEY_REVOKED_CHANNEL = 'eds_api_key_revoked';

/**
 * Listens for key revocations made by any instance (Postgres LISTEN/NOTIFY)
 * and drops them from this instance's cache, so a deactivation takes effect
 * everywhere within milliseconds. While the listening connection is down the
 * cache is not trusted at all (every request goes to the database), so a
 * missed notice can never keep a revoked key alive.
 */
@Injectable()
export class KeyRevocationListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KeyRevocationListener.name);
  private client: Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private down = false;

  constructor(
    private readonly cache: ApiKeyCache,
    @Inject(databaseConfig.KEY) private readonly db: ConfigType<typeof databaseConfig>,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  get listening(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.db.listenUrl) return;
    const client = new Client({ connectionString: this.db.listenUrl, connectionTimeoutMillis: 5_000 });
    client.on('notification', (message) => {
      if (message.channel === KEY_REVOKED_CHANNEL && message.payload) this.cache.evict(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${KEY_REVOKED_CHANNEL}`);
      this.client = client;
      this.cache.setTrusted(true);
      if (this.down) this.logger.log('Revocation listener back; key cache on');
      this.down = false;
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: Client, error?: Error): void {
    this.cache.setTrusted(false);
    if (this.client === client) this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.stopped || this.reconnectTimer) return;
    // One warning per outage, not one per retry.
    if (error && !this.down) this.logger.warn(`Revocation listener lost (${error.message}); key cache off until it is back`);
    this.down = true;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, 1_000);
    this.reconnectTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    this.cache.setTrusted(false);
    if (client) {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
