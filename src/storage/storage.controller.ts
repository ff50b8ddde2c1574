import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '../api-keys/api-key-principal';
import { ApiKeyAuth } from '../api-keys/api-key-auth.decorator';
import { CurrentApiKey } from '../api-keys/current-api-key.decorator';
import { API_V1 } from '../common/api-prefix';
import { ErrorResponseDto } from '../common/error-response.dto';
import { JsonBody } from '../common/json-body.decorator';
import { RequestOrigin } from '../common/request-origin.decorator';
import { CreateUploadDto } from './dto/create-upload.dto';
import { PendingUploadDto } from './dto/stored-file.dto';
import { StorageService } from './storage.service';

@ApiTags('Storage')
@ApiKeyAuth()
@Controller(`${API_V1}/storage`)
export class StorageController {
  constructor(private readonly storage: StorageService) {}

  @Post('upload')
  @HttpCode(HttpStatus.CREATED)
  @JsonBody()
  @ApiOperation({
    summary: 'Start an upload',
    description: 'Registers a pending file and answers where to PUT its bytes.',
    operationId: 'createUpload',
  })
  @ApiCreatedResponse({ type: PendingUploadDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A field is missing or invalid.' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: '`size` is over the upload limit, or the JSON body is over 64 KiB.' })
  createUpload(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @Body() dto: CreateUploadDto,
    @RequestOrigin() origin: string,
  ): Promise<PendingUploadDto> {
    return this.storage.createUpload(key.owner.id, dto, origin);
  }
}
