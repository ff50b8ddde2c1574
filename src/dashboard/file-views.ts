import { BadRequestException } from '@nestjs/common';
import type { ApiKeySummary } from '../api-keys/api-key-summary';
import type { FileSummary } from '../storage';

/** Rows per page on /dashboard/files. */
export const FILES_PAGE_SIZE = 50;
const MAX_QUERY = 255;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The listing's filters, as the query string gives them. */
export interface FilesFilter {
  /** Filename substring; '' for none. */
  q: string;
  /** A key id; null for every key. */
  key: string | null;
  cursor: string | null;
}

/** Parses `?q=&key=&cursor=`; anything else is ignored, a bad value is a 400 page. */
export function parseFilesFilter(query: Record<string, unknown>): FilesFilter {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new BadRequestException(`${name} may be given once`);
    return value;
  };
  const q = (text('q') ?? '').trim();
  if (q.length > MAX_QUERY) throw new BadRequestException(`q is at most ${MAX_QUERY} characters`);
  const key = text('key') || null;
  if (key !== null && !UUID.test(key)) throw new BadRequestException('key must be an API key id (a UUID)');
  const cursor = text('cursor') || null;
  return { q, key: key?.toLowerCase() ?? null, cursor };
}

/** `/dashboard/files` with these filters (and cursor), for links. */
export function filesHref(filter: Partial<FilesFilter>): string {
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  if (filter.key) params.set('key', filter.key);
  if (filter.cursor) params.set('cursor', filter.cursor);
  const search = params.toString();
  return search ? `/dashboard/files?${search}` : '/dashboard/files';
}

export interface UploaderView {
  kind: FileSummary['uploadedBy']['kind'];
  /** The key's name, "Dashboard" or "—". */
  label: string;
  maskedKey: string | null;
  keyId: string | null;
  /** The key no longer exists (deleted): its name is what the file kept. */
  keyGone: boolean;
}

export function uploaderView(file: FileSummary, keys: ReadonlyMap<string, ApiKeySummary>): UploaderView {
  const by = file.uploadedBy;
  switch (by.kind) {
    case 'api-key': {
      const key = keys.get(by.keyId);
      return { kind: by.kind, label: by.name, maskedKey: key?.maskedKey ?? null, keyId: by.keyId, keyGone: !key };
    }
    case 'dashboard':
      return { kind: by.kind, label: 'Dashboard', maskedKey: null, keyId: null, keyGone: false };
    case 'unknown':
      return { kind: by.kind, label: '—', maskedKey: null, keyId: null, keyGone: false };
  }
}

export interface FileRowView extends FileSummary {
  uploader: UploaderView;
  ownerEmail: string | null;
  /** When its bytes were stored (the creation time for files from before that was kept). */
  storedAt: Date;
}

export function fileRow(
  file: FileSummary,
  keys: ReadonlyMap<string, ApiKeySummary>,
  owners: ReadonlyMap<string, string>,
): FileRowView {
  return {
    ...file,
    uploader: uploaderView(file, keys),
    ownerEmail: owners.get(file.ownerId) ?? null,
    storedAt: file.uploadedAt ?? file.createdAt,
  };
}
