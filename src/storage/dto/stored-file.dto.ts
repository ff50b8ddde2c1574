import { ApiProperty } from '@nestjs/swagger';

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
