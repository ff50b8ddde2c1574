import { ApiProperty } from '@nestjs/swagger';
import { StoredFileDto } from './stored-file.dto';

export class FileListDto {
  @ApiProperty({ type: [StoredFileDto], description: 'Newest first.' })
  items: StoredFileDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` to get the next page; null on the last page.',
    example: 'MjAyNi0xMS0yOFQwODozOToyMS4xMjM0NTZafDBiNmY2ZjBlLTZhMGUtNGY1NS05ZDYxLTNmMWI4ZjZmM2Y2Yg',
  })
  nextCursor: string | null;
}
