import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '../api-key-scopes';

export class KeyOwnerDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'email', example: 'ops@example.com' })
  email: string;
}

export class MeResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The id of the API key used for this request.' })
  keyId: string;

  @ApiProperty({ example: 'Nightly backup', description: 'The key\'s descriptive name.' })
  name: string;

  @ApiProperty({ type: KeyOwnerDto, description: 'The manager the key acts for.' })
  owner: KeyOwnerDto;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({
    enum: API_KEY_SCOPES,
    enumName: 'ApiKeyScope',
    isArray: true,
    example: [...API_KEY_SCOPES],
    description:
      'What this key may do. `files:read`: list, metadata, download, usage; `files:write`: upload; ' +
      '`files:delete`: delete. A call outside them answers 403 naming the missing scope.',
  })
  scopes: ApiKeyScope[];

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key stops working (its expiry, or the end of its grace period after a roll); null: never.',
  })
  expiresAt: string | null;
}
