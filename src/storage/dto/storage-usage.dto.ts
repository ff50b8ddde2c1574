import { ApiProperty } from '@nestjs/swagger';

export class StorageUsageDto {
  @ApiProperty({ type: 'integer', example: 3, description: 'Ready files of the key\'s owner.' })
  fileCount: number;

  @ApiProperty({ type: 'integer', format: 'int64', example: 3072, description: 'Their total size in bytes.' })
  totalBytes: number;
}
