import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appConfig, authConfig } from '../config';
import { ManagersService } from './managers.service';

/**
 * Makes sure a fresh install can be administered: creates the admin from
 * EDS_ADMIN_EMAIL/EDS_ADMIN_PASSWORD, or prints a one-time setup link.
 */
@Injectable()
export class FirstAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Setup');
  /** SHA-256 of the one-time setup token; null once used or when not needed. */
  private tokenHash: Buffer | null = null;

  constructor(
    private readonly managers: ManagersService,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.managers.hasAny()) {
      if (this.auth.adminEmail || this.auth.adminPassword) {
        this.logger.log(
          'EDS_ADMIN_EMAIL/EDS_ADMIN_PASSWORD are ignored: managers exist already (they only create the first admin); unset them, or manage accounts at /dashboard/managers',
        );
      }
      return;
    }
    if (this.auth.adminEmail && this.auth.adminPassword) {
      await this.managers.create(this.auth.adminEmail, this.auth.adminPassword, 'admin').catch(() => {
        // Another instance created it at the same moment: fine.
      });
      this.logger.log(`Created the first admin ${this.auth.adminEmail}`);
      return;
    }
    const token = randomBytes(24).toString('base64url');
    this.tokenHash = sha256(token);
    const base = this.app.publicUrl ?? `http://localhost:${this.app.port}`;
    const link = `${base}/dashboard/setup?token=${token}`;
    // A plain banner on the terminal, where the person starting EDS looks;
    // the log line leaves the token out, so log stores never hold it.
    process.stdout.write(setupBanner(link));
    this.logger.warn('No manager exists yet: open the one-time setup link printed on the terminal to create the first admin');
  }

  /** Whether a setup link is open (no manager yet): the sign-in page says where to find it. */
  isSetupOpen(): boolean {
    return this.tokenHash !== null;
  }

  checkToken(token: unknown): boolean {
    if (!this.tokenHash || typeof token !== 'string' || token.length > 200) return false;
    return timingSafeEqual(sha256(token), this.tokenHash);
  }

  /** Creates the admin and closes the setup link for good. */
  async completeSetup(token: string, email: string, password: string): Promise<boolean> {
    if (!this.checkToken(token)) return false;
    this.tokenHash = null;
    if (await this.managers.hasAny()) return false;
    await this.managers.create(email, password, 'admin');
    return true;
  }
}

export function setupBanner(link: string): string {
  const rule = '='.repeat(Math.min(Math.max(link.length, 60), 120));
  return [
    '',
    rule,
    '  No manager exists yet. Create the first admin (works once, during this run):',
    '',
    `  ${link}`,
    '',
    '  Or restart with EDS_ADMIN_EMAIL and EDS_ADMIN_PASSWORD set.',
    rule,
    '',
    '',
  ].join('\n');
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();
