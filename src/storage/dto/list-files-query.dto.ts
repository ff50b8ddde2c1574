import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class ListFilesQueryDto {
  @ApiPropertyOptional({ description: 'Items per page, 1–100.', minimum: 1, maximum: 100, default: 20, type: 'integer' })
  @IsOptional()
  @Type(() => Number)
  @Max(100, { message: 'limit must be at most 100' })
  @Min(1, { message: 'limit must be at least 1' })
  @IsInt({ message: 'limit must be a whole number from 1 to 100' })
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` from the previous page; omit for the first page.' })
  @IsOptional()
  @IsString({ message: 'cursor must be a string' })
  cursor?: string;

  @ApiPropertyOptional({
    enum: ['ready', 'all'],
    default: 'ready',
    description: '`ready` (default) lists files with content; `all` includes pending uploads.',
  })
  @IsOptional()
  @IsIn(['ready', 'all'], { message: 'status must be "ready" or "all"' })
  status?: 'ready' | 'all';
}
