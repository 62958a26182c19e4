import type { ParseArgsConfig } from 'node:util';

/** The CLI's commands and their options, as node's util.parseArgs takes them. */

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMAND_NAMES = ['list', 'show', 'deploy', 'canary', 'weight', 'promote', 'rollback', 'switch', 'switch-back', 'probe', 'traffic', 'journal', 'history', 'triggers', 'rollout', 'release'] as const;
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
  // Reads only; `history return` writes, and so asks first (commandAsks).
  history: {
    positionals: { min: 1, max: 3, names: 'FUNCTION:ALIAS (or return FUNCTION:ALIAS ENTRY-ID)' },
    options: { since: { type: 'string' }, until: { type: 'string' }, csv: { type: 'boolean' }, 'cloudtrail-pages': { type: 'string' }, 'no-cloudtrail': { type: 'boolean' } },
    changesAlias: false,
  },
  // Reads only; with --fix it writes, and so asks first (commandAsks).
  triggers: { positionals: { min: 1, max: 1, names: 'FUNCTION or FUNCTION:ALIAS' }, options: { fix: { type: 'string' }, undo: { type: 'boolean' } }, changesAlias: false },
  // Each subcommand's own positionals, options and question: ROLLOUT_SUBCOMMANDS.
  rollout: {
    positionals: { min: 1, max: 2, names: 'a subcommand (start, status, pause, resume, next, promote, abort, stop)' },
    options: {
      version: { type: 'string' },
      dir: { type: 'string' },
      function: { type: 'string' },
      build: { type: 'boolean' },
      plan: { type: 'string' },
      wait: { type: 'boolean' },
      engine: { type: 'string' },
      application: { type: 'string' },
      'deployment-group': { type: 'string' },
      'service-role': { type: 'string' },
      'before-traffic-hook': { type: 'string' },
      'after-traffic-hook': { type: 'string' },
      rollback: { type: 'boolean' },
    },
    changesAlias: false,
  },
  // Each subcommand's own options and question: src/cli/release.ts.
  release: {
    positionals: { min: 1, max: 2, names: 'a subcommand (start, status, resume, restore, promote, abort, promote-stage) and a release id or stage' },
    options: { dir: { type: 'string' }, plan: { type: 'string' }, only: { type: 'string' }, 'no-smoke': { type: 'boolean' }, stage: { type: 'string' } },
    changesAlias: false,
  },
};

/** Whether a command (other than rollout, see rolloutAsks) asks first, and so needs --yes where nothing can ask. */
export function commandAsks(command: CommandName, values: Record<string, unknown>, positionals: string[] = []): boolean {
  if (command === 'history') return positionals[0] === 'return';
  return command === 'triggers' ? values.fix !== undefined || values.undo === true : COMMANDS[command].changesAlias;
}

export const ROLLOUT_SUBCOMMANDS = ['start', 'status', 'pause', 'resume', 'next', 'promote', 'abort', 'stop'] as const;
export type RolloutSubcommand = (typeof ROLLOUT_SUBCOMMANDS)[number];

export function isRolloutSubcommand(name: string | undefined): name is RolloutSubcommand {
  return (ROLLOUT_SUBCOMMANDS as readonly string[]).includes(name ?? '');
}

/** The options of `rollout start --engine codedeploy` (CodeDeploySettings); --engine itself is for start only. */
export const CODEDEPLOY_SETTING_OPTIONS = ['application', 'deployment-group', 'service-role', 'before-traffic-hook', 'after-traffic-hook'];
const CODEDEPLOY_START_OPTIONS = ['engine', ...CODEDEPLOY_SETTING_OPTIONS];

export interface RolloutSubcommandSpec {
  /** FUNCTION:ALIAS: required, or optional (status: all of the connection's). */
  target: 'required' | 'optional';
  /** The rollout options it takes (of COMMANDS.rollout.options). */
  options: string[];
  /** Asks first on a terminal, needs --yes elsewhere. */
  asks: boolean;
}

export const ROLLOUT_SPECS: Record<RolloutSubcommand, RolloutSubcommandSpec> = {
  start: { target: 'required', options: ['version', 'dir', 'function', 'build', 'plan', 'wait', ...CODEDEPLOY_START_OPTIONS], asks: true },
  status: { target: 'optional', options: [], asks: false },
  pause: { target: 'required', options: [], asks: false },
  resume: { target: 'required', options: ['wait'], asks: false },
  next: { target: 'required', options: ['wait'], asks: true },
  promote: { target: 'required', options: [], asks: true },
  abort: { target: 'required', options: [], asks: true },
  // A CodeDeploy rollout's StopDeployment.
  stop: { target: 'required', options: ['rollback'], asks: true },
};
