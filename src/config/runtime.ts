import { ConfigurationError } from './validate-env';

/**
 * package.json's `engines.node`. Uploads free request-body buffers with
 * `ArrayBuffer#transfer` (Node 21 and later), and EDS is built and tested on
 * 24: on an older Node.js it would start, then answer 500 to uploads.
 */
export const MIN_NODE_MAJOR = 24;

/** Stops a start on an older Node.js with a message that says which one to use. */
export function assertSupportedNode(version: string = process.version): void {
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (!(major >= MIN_NODE_MAJOR)) {
    throw new ConfigurationError(
      `EDS needs Node.js ${MIN_NODE_MAJOR} or newer, and this is ${version}. ` +
        '`npm start` runs the Node.js that `npm install` put in node_modules; the Docker image has its own.',
    );
  }
}
