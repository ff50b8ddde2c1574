import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { API_V1 } from '../common/api-prefix';
import { appConfig } from '../config';

/** Where the storage API lives; the controller's routes and the URLs handed to clients both come from here. */
export const STORAGE_ROOT = `${API_V1}/storage`;
export const FILE_CONTENT_PATH = 'files/:id/content';
/** The tus endpoint (DESIGN.md §4b): creation here, each upload at `uploads/{id}`. */
export const TUS_UPLOADS_PATH = 'uploads';
export const TUS_UPLOADS_ROOT = `${STORAGE_ROOT}/${TUS_UPLOADS_PATH}`;

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

  /** A tus upload's `Location`, under the endpoint it was created at (the API's, or the dashboard's). */
  tusUpload(requestOrigin: string, uploadId: string, root: string = TUS_UPLOADS_ROOT): string {
    return this.absolute(requestOrigin, `${root}/${uploadId}`);
  }

  /** `path` is relative to the server root, without a leading slash. */
  absolute(requestOrigin: string, path: string): string {
    return `${this.app.publicUrl ?? requestOrigin}/${path}`;
  }
}
