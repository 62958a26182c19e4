/**
 * The router's commands (Create Router…, Change Router Rule…, Move Triggers…, Remove Router),
 * loaded on first use: webpack emits them as dist/routerUi.js, so the activation bundle does not
 * carry them. Compiled with ES modules in the bundle (webpack.config.js) for the split to happen.
 */
import type * as RouterCommands from './commands/routerCommands';

export type RouterCommandsModule = typeof RouterCommands;

let loading: Promise<RouterCommandsModule> | undefined;

export function loadRouterCommands(): Promise<RouterCommandsModule> {
  return (loading ??= import(/* webpackChunkName: "routerUi" */ './commands/routerCommands'));
}
