/**
 * The router's use cases (src/core/router), loaded on first use: webpack emits them as
 * dist/router.js (one file for the extension and the CLI). Compiled with ES modules in the bundle
 * (webpack.config.js) for the split to happen.
 */
import type * as Router from './router';

export type RouterModule = typeof Router;

let loading: Promise<RouterModule> | undefined;

export function loadRouter(): Promise<RouterModule> {
  return (loading ??= import(/* webpackChunkName: "router" */ './router'));
}
