/**
 * The release runner (src/core/releases/runner.ts) with what only it uses, loaded on first use:
 * webpack emits it as dist/releases.js (one file for the extension and the CLI), so starting the
 * extension without a release open in the journal, or a CLI command other than `release`, does not
 * load it. Compiled with ES modules in the bundle (webpack.config.js) for the split to happen.
 */
import type * as Releases from './releases/runner';

export type ReleasesModule = typeof Releases;

let loading: Promise<ReleasesModule> | undefined;

export function loadReleases(): Promise<ReleasesModule> {
  return (loading ??= import(/* webpackChunkName: "releases" */ './releases/runner').catch((err: unknown) => {
    // Not kept: the next use tries to load it again.
    loading = undefined;
    throw err;
  }));
}
