import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { API_V1 } from '../common/api-prefix';
import { appConfig } from '../config';

/** Where the storage API lives; the controller's routes and the URLs handed to clients both come from here. */
export const STORAGE_ROOT = `${API_V1}/storage`;
export const FILE_CONTENT_PATH = 'files/:id/content';

/**
 * Absolute URLs the API hands out (the upload's `uploadUrl`, and later a tus
 * `Location`): EDS_PUBLIC_URL when set, else the origin the client used.
 */
@Injectable()
export class StorageUrls {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  fileContent(requestOrigin: string, fileId: string): string {
    return this.absolute(requestOrigin, `${STORAGE_ROOT}/${FILE_CONTENT_PATH.replace(':id', fileId)}`);
  }

  /** `path` is relative to the server root, without a leading slash. */
  absolute(requestOrigin: string, path: string): string {
    return `${this.app.publicUrl ?? requestOrigin}/${path}`;
  }
}
