/**
 * The files page's drop zone: Uppy over tus to the dashboard's own endpoint,
 * bundled by esbuild into public/build/ (scripts/build-client.cjs). No inline
 * script, no CDN: the page loads this file, and it reads everything it needs
 * from data attributes on its mount point, which the server renders only
 * once the dashboard's tus endpoint exists.
 */
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import GoldenRetriever from '@uppy/golden-retriever';
import Tus from '@uppy/tus';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';

/** At most 8 MiB a PATCH, so a reload or a dropped connection loses one chunk at most. */
export const CHUNK_SIZE = 8 * 1024 * 1024;

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
    .use(GoldenRetriever, { serviceWorker: false });

  mount.dataset.uploader = 'ready';
  uppy.on('complete', (result) => {
    // The list is server-rendered: show the new rows once everything went through.
    if ((result.successful?.length ?? 0) > 0 && (result.failed?.length ?? 0) === 0) window.location.reload();
  });
}

const mount = document.getElementById('files-upload');
if (mount) start(mount);
