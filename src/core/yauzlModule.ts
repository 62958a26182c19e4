/**
 * yauzl (a zip reader), loaded on first use: only a prebuilt archive (a SAM CodeUri such as
 * `dist/function.zip`) is read with it, so webpack emits it as dist/yauzl.js. Compiled with ES
 * modules in the bundle (webpack.config.js) for the split to happen.
 */
import type * as Yauzl from 'yauzl';

let loading: Promise<typeof Yauzl> | undefined;

export function loadYauzl(): Promise<typeof Yauzl> {
  return (loading ??= import(/* webpackChunkName: "yauzl" */ 'yauzl'));
}
