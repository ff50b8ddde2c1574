/**
 * The files page's drop zone: Uppy over tus to the dashboard's own endpoint,
 * bundled by esbuild into public/build/ (scripts/build-client.cjs). No inline
 * script, no CDN: the page loads this file, and it reads everything it needs
 * (endpoint, CSRF token, size limit) from data attributes on its mount point,
 * which the server always renders next to the plain no-JavaScript form.
 */
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import GoldenRetriever from '@uppy/golden-retriever';
import Tus from '@uppy/tus';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';

/** At most 8 MiB a PATCH, so a reload or a dropped connection loses one chunk at most. */
export const CHUNK_SIZE = 8 * 1024 * 1024;

/** What Golden Retriever may copy into IndexedDB to survive a reload: a file, and all of them. */
const INDEXED_DB_MAX_FILE = 512 * 1024 * 1024;
const INDEXED_DB_MAX_TOTAL = 1024 * 1024 * 1024;

function start(mount: HTMLElement): void {
  const endpoint = mount.dataset.endpoint;
  const csrfToken = mount.dataset.csrfToken;
  if (!endpoint || !csrfToken) return;
  const maxFileSize = Number(mount.dataset.maxBytes) || null;

  const uppy = new Uppy({ id: 'eds-files', autoProceed: false, restrictions: { maxFileSize } })
    .use(Dashboard, {
      inline: true,
      target: mount,
      width: '100%',
      height: 340,
      // Thumbnails would need blob: images, which the page's CSP does not allow.
      disableThumbnailGenerator: true,
      proudlyDisplayPoweredByUppy: false,
      note: 'Uploads resume after a reload or a dropped connection.',
    })
    .use(Tus, {
      endpoint,
      chunkSize: CHUNK_SIZE,
      // The session cookie authenticates; the token proves the request comes from this page.
      headers: { 'x-csrf-token': csrfToken },
      retryDelays: [0, 1000, 3000, 5000],
      removeFingerprintOnSuccess: true,
    })
    // Remembers selected files (IndexedDB) and their tus URLs, so a reload resumes them.
    // Its default keeps no file over 10 MiB, so exactly the uploads worth resuming came
    // back as "ghosts" to choose again; a larger file still does (its tus URL is kept).
    // (The plugin spreads `indexedDB` into its IndexedDBStore, which takes these limits; its option type names fewer.)
    .use(GoldenRetriever, {
      serviceWorker: false,
      indexedDB: { maxFileSize: INDEXED_DB_MAX_FILE, maxTotalSize: INDEXED_DB_MAX_TOTAL } as { name?: string },
    });

  mount.dataset.uploader = 'ready';
  uppy.on('complete', (result) => {
    // The list is server-rendered: show the new rows once everything went through.
    if ((result.successful?.length ?? 0) > 0 && (result.failed?.length ?? 0) === 0) {
      void forgetRecovery(uppy.getID()).then(() => window.location.reload());
    }
  });
}

/**
 * Golden Retriever saves its state at most every 500 ms, so a reload right on
 * 'complete' found the file still "uploading" without its blob and offered it
 * back as a ghost to choose again. Done uploads have nothing to recover: drop
 * the record first (@uppy/golden-retriever 6 keeps it in the IndexedDB database
 * 'uppy-blobs', store 'metadata', keyed by the Uppy id; it does not export these
 * names). test/files-browser.e2e-spec.ts fails if this stops working.
 */
function forgetRecovery(uppyId: string): Promise<void> {
  return new Promise((resolve) => {
    const open = indexedDB.open('uppy-blobs');
    open.onerror = () => resolve();
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('metadata')) {
        db.close();
        resolve();
        return;
      }
      const tx = db.transaction('metadata', 'readwrite');
      tx.objectStore('metadata').delete(uppyId);
      tx.oncomplete = tx.onerror = tx.onabort = () => {
        db.close();
        resolve();
      };
    };
  });
}

const mount = document.getElementById('files-upload');
if (mount) start(mount);
