import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_V1 } from '../common/api-prefix';
import type { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyAuth } from './api-key-auth.decorator';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { CurrentApiKey } from './current-api-key.decorator';
import { MeResponseDto } from './dto/me-response.dto';

@ApiTags('Identity')
@ApiKeyAuth()
@Controller(`${API_V1}/me`)
export class MeController {
  constructor(private readonly apiKeys: ApiKeyAuthenticator) {}

  @Get()
  @ApiOperation({
    summary: 'Who this API key is',
    description: 'The key\'s id, name, owner, scopes and expiry. Needs no scope: any valid key may ask.',
    operationId: 'getMe',
  })
  @ApiOkResponse({ type: MeResponseDto })
  me(@CurrentApiKey() key: ApiKeyPrincipal): MeResponseDto {
    return this.apiKeys.describe(key);
  }
}
