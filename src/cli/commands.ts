import type { ParseArgsConfig } from 'node:util';

/** The CLI's commands and their options, as node's util.parseArgs takes them. */

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMAND_NAMES = ['list', 'show', 'deploy', 'canary', 'weight', 'promote', 'rollback', 'switch', 'switch-back', 'probe', 'traffic', 'journal'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  sandbox: { type: 'boolean' },
  'journal-dir': { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export interface CommandSpec {
  /** Positional arguments: how many at least and at most. */
  positionals: { min: number; max: number; names: string };
  options: Options;
  /** Changes an alias: asks first on a terminal, needs --yes elsewhere. */
  changesAlias: boolean;
}

export const COMMANDS: Record<CommandName, CommandSpec> = {
  list: { positionals: { min: 0, max: 0, names: '' }, options: {}, changesAlias: false },
  show: { positionals: { min: 1, max: 1, names: 'a function name' }, options: {}, changesAlias: false },
  deploy: {
    positionals: { min: 0, max: 0, names: '' },
    options: {
      dir: { type: 'string' },
      weight: { type: 'string' },
      alias: { type: 'string' },
      function: { type: 'string' },
      'function-name': { type: 'string' },
      'image-uri': { type: 'string' },
      'no-smoke': { type: 'boolean' },
      build: { type: 'boolean' },
    },
    changesAlias: true,
  },
  canary: {
    positionals: { min: 1, max: 1, names: 'FUNCTION:ALIAS' },
    options: { version: { type: 'string' }, weight: { type: 'string' } },
    changesAlias: true,
  },
  weight: { positionals: { min: 2, max: 2, names: 'FUNCTION:ALIAS and a weight in percent' }, options: {}, changesAlias: true },
  promote: { positionals: { min: 1, max: 1, names: 'FUNCTION:ALIAS' }, options: { version: { type: 'string' } }, changesAlias: true },
  rollback: { positionals: { min: 1, max: 1, names: 'FUNCTION:ALIAS' }, options: { version: { type: 'string' } }, changesAlias: true },
  switch: { positionals: { min: 2, max: 2, names: 'FUNCTION:ALIAS and a version' }, options: {}, changesAlias: true },
  'switch-back': { positionals: { min: 1, max: 1, names: 'FUNCTION:ALIAS' }, options: {}, changesAlias: true },
  probe: { positionals: { min: 1, max: 1, names: 'FUNCTION:ALIAS' }, options: { count: { type: 'string', short: 'n' } }, changesAlias: false },
  traffic: { positionals: { min: 1, max: 1, names: 'FUNCTION:ALIAS' }, options: { window: { type: 'string' } }, changesAlias: false },
  journal: { positionals: { min: 0, max: 1, names: 'FUNCTION or FUNCTION:ALIAS' }, options: { limit: { type: 'string' } }, changesAlias: false },
};
