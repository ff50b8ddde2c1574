import { ApiProperty } from '@nestjs/swagger';

export interface UploadedByDto {
  keyId: string;
  name: string;
}

export class StoredFileDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'test.txt' })
  filename: string;

  @ApiProperty({ example: 'text/plain' })
  mimeType: string;

  @ApiProperty({ type: 'integer', format: 'int64', example: 1024 })
  size: number;

  @ApiProperty({ enum: ['pending', 'ready'], example: 'pending' })
  status: 'pending' | 'ready';

  @ApiProperty({ nullable: true, type: String, description: 'SHA-256 of the stored bytes; null until uploaded.' })
  sha256: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  uploadedAt: string | null;

  // Inline rather than a $ref: OpenAPI 3.0 has no sound nullable reference
  // (`nullable` needs a `type` beside it, and `allOf` would then refuse null).
  @ApiProperty({
    type: 'object',
    properties: {
      keyId: { type: 'string', format: 'uuid', description: 'The API key that created the file (it may have been deleted since).' },
      name: { type: 'string', example: 'Nightly backup', description: 'The key\'s name when it created the file.' },
    },
    required: ['keyId', 'name'],
    selfRequired: true,
    nullable: true,
    description:
      'The API key that created the file, named as it was then. Null for files uploaded in the dashboard ' +
      'and for files stored before EDS recorded this.',
  })
  uploadedBy: UploadedByDto | null;
}

export class PendingUploadDto extends StoredFileDto {
  @ApiProperty({
    format: 'uri',
    description: 'Where to PUT the bytes (with the same x-api-key header).',
    example: 'http://localhost:3000/api/v1/storage/files/0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b/content',
  })
  uploadUrl: string;

  @ApiProperty({ enum: ['PUT'], example: 'PUT' })
  uploadMethod: 'PUT';

  @ApiProperty({ format: 'date-time', description: 'After this the pending upload expires and is cleaned up.' })
  expiresAt: string;
}
