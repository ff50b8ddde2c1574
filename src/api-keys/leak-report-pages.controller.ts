import { Controller, Get, Header, Inject, Render } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { Clock } from '../common/clock';
import { RequestOrigin } from '../common/request-origin.decorator';
import { appConfig, keysConfig } from '../config';

export const REPORT_PAGE_PATH = 'report-a-leaked-key';
/** RFC 9116 asks for an Expires under a year away; the file is made per request, so it never goes stale. */
const SECURITY_TXT_DAYS = 180;

/** What a finder of a leaked key reads: RFC 9116's security.txt and the page it points to. Public. */
@ApiExcludeController()
@Controller()
export class LeakReportPagesController {
  constructor(
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(keysConfig.KEY) private readonly keys: ConfigType<typeof keysConfig>,
  ) {}

  @Get('.well-known/security.txt')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  securityTxt(@RequestOrigin() origin: string): string {
    const base = this.app.publicUrl ?? origin;
    const expires = new Date(this.clock.now().getTime() + SECURITY_TXT_DAYS * 24 * 3600_000);
    return [
      `Contact: ${this.contact(base)}`,
      `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
      `Policy: ${base}/${REPORT_PAGE_PATH}`,
      `Canonical: ${base}/.well-known/security.txt`,
      'Preferred-Languages: en',
      '# Found an exstr_live_ API key in public? POST it to /api/v1/keys/revoke (see Policy): it stops at once.',
      '',
    ].join('\n');
  }

  @Get(REPORT_PAGE_PATH)
  @Render('report-a-leaked-key')
  reportPage(@RequestOrigin() origin: string): object {
    const base = this.app.publicUrl ?? origin;
    return { title: 'Report a leaked API key', origin: base, contact: this.contact(base), perHour: this.keys.leakReportsPerHour };
  }

  private contact(base: string): string {
    return this.keys.securityContact ?? `${base}/${REPORT_PAGE_PATH}`;
  }
}
