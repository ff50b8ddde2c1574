import { Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { type AuditOrigin, Requester } from '../audit';
import { API_V1 } from '../common/api-prefix';
import { ErrorResponseDto } from '../common/error-response.dto';
import { JsonBody } from '../common/json-body.decorator';
import { ValidBody } from '../common/validation.pipe';
import { RevokeKeysDto, RevokeKeysResponseDto } from './dto/revoke-keys.dto';
import { KeyLeakReportsService } from './key-leak-reports.service';
import { LeakReportThrottle } from './leak-report.throttle';

/** The one /api/v1 route that needs no key: whoever finds a key in public may stop it. */
@ApiTags('Leaked keys')
@Controller(`${API_V1}/keys`)
export class KeyReportsController {
  constructor(private readonly reports: KeyLeakReportsService) {}

  @Post('revoke')
  @HttpCode(HttpStatus.ACCEPTED)
  @JsonBody()
  // Below @JsonBody: every report counts against the address, whatever its content type.
  @UseGuards(LeakReportThrottle)
  @ApiOperation({
    summary: 'Report leaked API keys',
    description:
      'Found an `exstr_live_…` key in public (a repository, a paste, a log)? Send it here; no API key needed. ' +
      'Every listed key that is active is deactivated at once and its owner is told. The answer is the same ' +
      'whether or not the entries were keys, so it reveals nothing about them. At most 1,000 entries per report; ' +
      'reports are limited per client address.',
    operationId: 'revokeLeakedKeys',
    security: [],
  })
  @ApiAcceptedResponse({ type: RevokeKeysResponseDto, description: 'Received; every active key listed is deactivated.' })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: '`credentials` is missing, empty, over 1,000 entries, or holds something other than strings.',
    example: { statusCode: 400, error: 'Bad Request', message: 'credentials may list at most 1000 keys' },
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description: 'The JSON body is over 64 KiB.',
    example: { statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' },
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'Too many reports from this client address; retry after the `Retry-After` header\'s seconds.',
    headers: { 'Retry-After': { description: 'Seconds until the client may report again.', schema: { type: 'integer' } } },
    example: { statusCode: 429, error: 'Too Many Requests', message: 'Too many leaked-key reports from this address; try again in 42 seconds' },
  })
  async revoke(@ValidBody() body: RevokeKeysDto, @Requester() reporter: AuditOrigin): Promise<RevokeKeysResponseDto> {
    return { received: await this.reports.report(body.credentials, reporter) };
  }
}
