import { ApiProperty } from '@nestjs/swagger';

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
}
