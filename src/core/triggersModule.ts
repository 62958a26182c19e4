/**
 * The trigger audit's core (src/core/triggers), loaded on first use: webpack emits it as
 * dist/triggers.js (one file for the extension and the CLI), so starting the extension does not
 * read it. Compiled with ES modules in the bundle (webpack.config.js) for the split to happen.
 */
import type * as Triggers from './triggers';

export type TriggersModule = typeof Triggers;

let loading: Promise<TriggersModule> | undefined;

export function loadTriggers(): Promise<TriggersModule> {
  return (loading ??= import(/* webpackChunkName: "triggers" */ './triggers'));
}
