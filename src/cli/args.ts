import { parseArgs } from 'node:util';
import type { CommandName, RolloutSubcommand } from './commands';
import { COMMANDS, GLOBAL_OPTIONS, isCommandName, isRolloutSubcommand } from './commands';
import { usage } from './messages';

/** Bad input on the command line: exit code 2, the message and where to find help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionValues = Record<string, string | boolean | undefined>;

export type Parsed =
  /** `sub`: a rollout subcommand's help (`rollout start --help`, `help rollout start`). */
  | { kind: 'help'; command?: CommandName; sub?: RolloutSubcommand }
  | { kind: 'version' }
  | { kind: 'command'; command: CommandName; positionals: string[]; values: OptionValues };

/**
 * argv (without node and the script) → the command, its positionals and options. The command is
 * the first argument that is neither an option nor a global option's value, so connection flags
 * may come before it (`lambda-canary --region eu-west-1 list`); each command's options are then
 * parsed strictly with util.parseArgs.
 */
export function parseCommandLine(argv: string[]): Parsed {
  const { tokens } = parseArgs({ args: argv, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const first = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  const commandToken = first?.kind === 'positional' ? first : undefined;
  if (!commandToken) {
    const given = new Set(tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
    if (given.has('help') || argv.length === 0) return { kind: 'help' };
    if (given.has('version')) return { kind: 'version' };
    throw new UsageError(usage.noCommand);
  }
  const name = commandToken.value;
  const rest = argv.filter((_, i) => i !== commandToken.index);
  if (name === 'help') {
    const topic = rest.find((a) => !a.startsWith('-'));
    if (topic === undefined) return { kind: 'help' };
    if (!isCommandName(topic)) throw new UsageError(usage.unknownCommand(topic));
    const sub = rest.filter((a) => !a.startsWith('-'))[1];
    return { kind: 'help', command: topic, ...(topic === 'rollout' && isRolloutSubcommand(sub) ? { sub } : {}) };
  }
  if (!isCommandName(name)) throw new UsageError(usage.unknownCommand(name));
  const spec = COMMANDS[name];
  let values: OptionValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...spec.options }, strict: true, allowPositionals: true }) as { values: OptionValues; positionals: string[] });
  } catch (err) {
    throw new UsageError(parseArgsMessage(err), name);
  }
  if (values.help) return { kind: 'help', command: name, ...(name === 'rollout' && isRolloutSubcommand(positionals[0]) ? { sub: positionals[0] } : {}) };
  if (positionals.length > spec.positionals.max) throw new UsageError(usage.tooManyArguments(name, positionals[spec.positionals.max]), name);
  if (positionals.length < spec.positionals.min) throw new UsageError(usage.missingArgument(name, spec.positionals.names), name);
  return { kind: 'command', command: name, positionals, values: { ...values } };
}

/** util.parseArgs's errors, in the CLI's words. */
function parseArgsMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(e.message ?? '')?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return usage.unknownOption(quoted);
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted && /argument missing/.test(e.message ?? '')) return usage.missingValue(quoted.replace(/ <value>$/, ''));
  return usage.badOption((e.message ?? String(err)).split('\n')[0]);
}

/**
 * A function as Lambda's FunctionName takes it (a name, `123456789012:function:NAME` or a function
 * ARN), and the qualifier after it, if any: an ARN's colons are its own, not a qualifier's.
 */
function splitQualifier(value: string): { functionName: string; qualifier?: string } {
  const arn = /^((?:arn:[^:]+:lambda:[^:]*:)?\d{12}:function:[^:]+)(?::(.*))?$/.exec(value);
  if (arn) return { functionName: arn[1], ...(arn[2] !== undefined ? { qualifier: arn[2] } : {}) };
  const at = value.lastIndexOf(':');
  return at < 0 ? { functionName: value } : { functionName: value.slice(0, at), qualifier: value.slice(at + 1) };
}

/** `checkout-api:prod` → function and alias. The alias follows the function's name or ARN. */
export function parseFunctionAlias(value: string): { functionName: string; aliasName: string } {
  const { functionName, qualifier } = splitQualifier(value);
  if (!functionName || !qualifier) throw new UsageError(usage.notFunctionAlias(value));
  return { functionName, aliasName: qualifier };
}

/** `FN` or `FN:ALIAS` (for `journal`). */
export function parseFunctionMaybeAlias(value: string): { functionName: string; aliasName?: string } {
  return splitQualifier(value).qualifier === undefined ? { functionName: value } : parseFunctionAlias(value);
}

/**
 * `FN` or `FN:ALIAS` for `triggers`: the verdicts are relative to an alias, so a version or
 * `$LATEST` after the colon is refused (an alias name is never only digits).
 */
export function parseTriggersTarget(value: string): { functionName: string; aliasName?: string } {
  const target = parseFunctionMaybeAlias(value);
  if (target.aliasName !== undefined && /^(\d+|\$LATEST)$/.test(target.aliasName)) throw new UsageError(usage.qualifierNotAlias(value, target.aliasName));
  return target;
}

/** A trigger id as `triggers` lists it: `esm:UUID`, `url:QUALIFIER`, `policy:QUALIFIER:SID`, `async:QUALIFIER`. */
export function parseTriggerId(value: string): string {
  const id = value.trim();
  if (!/^(esm|url|async):[^\s:]+$|^policy:[^\s:]+:\S+$/.test(id)) throw new UsageError(usage.notTriggerId(value));
  return id;
}

/** `10`, `2.5`, `10%` → percent as a number; the range is the use case's to check. */
export function parsePercent(option: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(value);
  if (!m) throw new UsageError(usage.notPercent(option, value));
  return Number(m[1]);
}

export function parseCount(option: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(usage.notCount(option, value));
  return Number(value.trim());
}

/** `15`, `15m`, `90min`, `1h`, `1.5h` → minutes. */
export function parseWindow(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|min|h)?\s*$/i.exec(value);
  if (!m) throw new UsageError(usage.notWindow(value));
  const n = Number(m[1]);
  return m[2]?.toLowerCase() === 'h' ? n * 60 : n;
}
