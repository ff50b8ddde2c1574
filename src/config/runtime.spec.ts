import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from './validate-env';
import { assertSupportedNode, MIN_NODE_MAJOR } from './runtime';

describe('assertSupportedNode', () => {
  it.each(['v24.0.0', 'v24.21.0', 'v25.1.0', 'v100.0.0'])('lets %s start', (version) => {
    expect(() => assertSupportedNode(version)).not.toThrow();
  });

  it.each(['v20.20.2', 'v23.11.1', 'v2.0.0', 'nonsense'])('stops %s, naming the Node.js it needs', (version) => {
    expect(() => assertSupportedNode(version)).toThrow(ConfigurationError);
    expect(() => assertSupportedNode(version)).toThrow(`EDS needs Node.js 24 or newer, and this is ${version}.`);
  });

  it('asks for what package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_MAJOR}`);
  });

  it('lets the Node.js running the tests start', () => {
    expect(() => assertSupportedNode()).not.toThrow();
  });
});
