/**
 * `lambda-canary triggers FN[:ALIAS] [--fix ID]`: the core trigger audit as a table, a fix of one
 * trigger; and the pre-flight that `canary`, `deploy` and `rollout start` run before they write.
 */
import type { Outcome } from '../core/outcome';
import { outcomeText } from '../core/outcomeText';
import { loadTriggers } from '../core/triggersModule';
import type { UseCaseContext } from '../core/usecases';
import type { PreflightReport, TriggerAudit, TriggerFixDetail, TriggerView } from '../shared/triggers';
import { plainText, terminalText } from '../shared/text';
import type { CliIO } from './output';
import { ask, EXIT, exitCodeOf, jsonText } from './output';
import { confirmText, preflightText, progressText, questions, triggersText } from './messages';

export interface TriggersArgs {
  /** As typed: a name or an ARN, used again in the `--fix` commands printed. */
  functionName: string;
  aliasName?: string;
  /** `--fix ID`: needs aliasName (checked when planned). */
  fix?: string;
  /** `--undo`: undoes the alias's last trigger fix in the journal; needs aliasName. */
  undo?: boolean;
}

export interface TriggersRun {
  io: CliIO;
  ctx: UseCaseContext;
  json: boolean;
  yes: boolean;
  /** The alias's last trigger-fix record in the journal (this connection's), for --undo. */
  lastFix?: (functionName: string, aliasName: string) => Promise<Outcome<TriggerFixDetail> | undefined>;
}

type Print = (text: string) => void;

/**
 * A word for a shell: as it is when it holds nothing a shell reads (`esm:…`, `url:prod`), else in
 * single quotes — `policy:$LATEST:s3` unquoted would lose `$LATEST` to the shell.
 */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command that applies a trigger's fix (from plain-text parts: what the table shows is what is typed). */
export function fixCommand(functionName: string, alias: string, triggerId: string): string {
  return `lambda-canary triggers ${shellWord(`${functionName}:${alias}`)} --fix ${shellWord(triggerId)}`;
}

export async function runTriggers(a: TriggersArgs, run: TriggersRun): Promise<number> {
  const out: Print = (text) => run.io.stdout.write(`${terminalText(text)}\n`);
  const err: Print = (text) => run.io.stderr.write(`${terminalText(text)}\n`);
  if (a.fix !== undefined) return fix({ ...a, aliasName: a.aliasName!, fix: a.fix }, run, out, err);
  if (a.undo) return undo({ functionName: a.functionName, aliasName: a.aliasName! }, run, out, err);

  const { auditTriggers } = await loadTriggers();
  const outcome = await auditTriggers(run.ctx, { functionName: a.functionName, ...(a.aliasName !== undefined ? { aliasName: a.aliasName } : {}) });
  const audit = outcome.detail;
  // What could not be read is among the outcome's warnings too: said once.
  for (const w of new Set([...outcome.warnings, ...(audit?.unreadable ?? [])])) err(progressText.warning(w));
  if (run.json) run.io.stdout.write(jsonText(outcome));
  else if (outcome.error || !audit) err(`lambda-canary: ${outcomeText(outcome)}`);
  else for (const line of auditLines(a.functionName, audit)) out(line);
  if (outcome.error || !audit) return exitCodeOf(outcome);
  // What bypasses is the audit's finding, not a failure; what it could not read leaves it incomplete.
  return audit.unreadable.length ? EXIT.failed : EXIT.done;
}

/** The verdict as a table cell: ✓ through the alias, ⚠ bypasses it. */
function verdictCell(t: TriggerView, aliasName: string | undefined): string {
  switch (t.verdict) {
    case 'through':
      return triggersText.through(t.route.kind === 'alias' ? t.route.alias : (aliasName ?? '?'));
    case 'bypasses':
      return triggersText.bypasses(aliasName);
    case 'other-alias':
      return triggersText.otherAlias(t.route.kind === 'alias' ? t.route.alias : '?');
    case 'info':
      return triggersText.info;
  }
}

function callsCell(t: TriggerView): string {
  switch (t.route.kind) {
    case 'alias':
      return plainText(t.route.alias);
    case 'unqualified':
      return triggersText.unqualified;
    case 'version':
      return triggersText.version(plainText(t.route.version));
  }
}

/**
 * The audit as text: a summary, one row per trigger, then for each trigger that bypasses, has
 * notes or a fix, its sentence, its source and the command that fixes it. Every AWS-provided
 * value is plain text (one line, no control characters).
 */
export function auditLines(functionName: string, audit: TriggerAudit): string[] {
  const aliasName = audit.aliasName;
  const lines = [triggersText.summary(plainText(audit.functionName || functionName), audit.triggers.length, audit.triggers.filter((t) => t.verdict === 'bypasses').length, aliasName, audit.aliases.map((n) => plainText(n)))];
  if (audit.triggers.length === 0) {
    lines.push(triggersText.none);
    return lines;
  }
  const rows = audit.triggers.map((t) => [plainText(t.id, 120), plainText(t.label, 60), callsCell(t), verdictCell(t, aliasName), t.fix ? triggersText.fixCell(t.fix.action, plainText(t.fix.alias)) : '-']);
  const table = [triggersText.header, ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => [...row[i]].length)));
  for (const row of table) lines.push(row.map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length))).join('  ').trimEnd());
  for (const t of audit.triggers) {
    if (t.verdict !== 'bypasses' && !t.fix && t.notes.length === 0) continue;
    lines.push('', `${plainText(t.id, 120)}: ${plainText(t.detail, 400)}`);
    if (t.source) lines.push(triggersText.source(plainText(t.source)));
    lines.push(triggersText.target(plainText(t.target)));
    for (const note of t.notes) lines.push(triggersText.note(plainText(note, 600)));
    if (t.fix) lines.push(triggersText.fix(plainText(t.fix.text, 400)), triggersText.fixCommand(fixCommand(plainText(functionName), plainText(t.fix.alias), plainText(t.id, 120))));
  }
  return lines;
}

/**
 * `--fix ID`: on a terminal the trigger is audited and the fix asked about (the audited trigger
 * is what the fix must still find); with --yes the fix re-reads and checks it alone.
 */
async function fix(a: Required<Pick<TriggersArgs, 'functionName' | 'aliasName' | 'fix'>>, run: TriggersRun, out: Print, err: Print): Promise<number> {
  const { ctx, io } = run;
  let expected: TriggerView | undefined;
  if (!run.yes) {
    const { auditTriggers } = await loadTriggers();
    const audit = await auditTriggers(ctx, { functionName: a.functionName, aliasName: a.aliasName });
    if (audit.error || !audit.detail) {
      if (run.json) io.stdout.write(jsonText(audit));
      else err(`lambda-canary: ${outcomeText(audit)}`);
      return exitCodeOf(audit);
    }
    const trigger = audit.detail.triggers.find((t) => t.id === a.fix);
    const refusal = !trigger
      ? triggersText.noSuchTrigger(a.fix, `${a.functionName}:${a.aliasName}`, audit.detail.triggers.map((t) => plainText(t.id, 120)))
      : !trigger.fix
        ? triggersText.nothingToFix(plainText(trigger.label), plainText(trigger.detail, 400))
        : undefined;
    if (refusal) {
      // Nothing to ask about, and nothing written.
      err(`lambda-canary: ${refusal} ${confirmText.declined}`);
      if (run.json) io.stdout.write(jsonText({ action: 'trigger-fix', target: { function: a.functionName, alias: a.aliasName }, state: 'unchanged', error: { kind: 'validation', message: refusal, left: confirmText.declined }, warnings: [] }));
      return EXIT.usage;
    }
    expected = trigger;
    const question = questions.triggerFix(plainText(trigger!.label), plainText(trigger!.id, 120), `${a.functionName}:${a.aliasName}`, plainText(trigger!.fix!.text, 400));
    if (!(await ask(io, `${terminalText(question)}${questions.suffix}`))) {
      err(confirmText.declined);
      return EXIT.failed;
    }
  }
  const { fixTrigger } = await loadTriggers();
  const outcome = await fixTrigger(ctx, { functionName: a.functionName, aliasName: a.aliasName, triggerId: a.fix, ...(expected ? { expected } : {}) });
  for (const w of outcome.warnings) err(progressText.warning(w));
  if (run.json) io.stdout.write(jsonText(outcome));
  else if (outcome.error) err(`lambda-canary: ${outcomeText(outcome)}`);
  else {
    // What was done, then each thing left to do on a line of its own.
    const d = outcome.detail;
    out(outcomeText(d ? { ...outcome, detail: { ...d, followUp: [] } } : outcome));
    for (const line of d?.followUp ?? []) out(triggersText.followUp(plainText(line, 600)));
  }
  return exitCodeOf(outcome);
}

/**
 * `--undo`: the alias's last trigger fix, as the journal recorded it, undone by core (a moved
 * mapping moved back, a URL or permission the fix created removed; refused when the trigger
 * changed since). Asked first on a terminal, --yes elsewhere.
 */
async function undo(a: { functionName: string; aliasName: string }, run: TriggersRun, out: Print, err: Print): Promise<number> {
  const target = `${a.functionName}:${a.aliasName}`;
  const last = await run.lastFix?.(a.functionName, a.aliasName);
  const refusal = !last
    ? triggersText.noFixToUndo(target)
    : last.state !== 'done' || !last.detail || Object.keys(last.detail.undo).length === 0
      ? triggersText.lastFixNotUndoable(target, plainText(outcomeText(last), 400))
      : undefined;
  if (refusal || !last?.detail) {
    err(`lambda-canary: ${refusal} ${confirmText.declined}`);
    if (run.json) run.io.stdout.write(jsonText({ action: 'trigger-fix', target: { function: a.functionName, alias: a.aliasName }, state: 'unchanged', error: { kind: 'validation', message: refusal, left: confirmText.declined }, warnings: [] }));
    return EXIT.usage;
  }
  const detail = last.detail;
  if (!run.yes && !(await ask(run.io, `${terminalText(questions.undoFix(plainText(detail.before.label), target, plainText(outcomeText(last), 400), last.endedAt))}${questions.suffix}`))) {
    err(confirmText.declined);
    return EXIT.failed;
  }
  const { undoTriggerFix } = await loadTriggers();
  const outcome = await undoTriggerFix(run.ctx, { functionName: a.functionName, aliasName: a.aliasName, detail });
  for (const w of outcome.warnings) err(progressText.warning(w));
  if (run.json) run.io.stdout.write(jsonText(outcome));
  else if (outcome.error) err(`lambda-canary: ${outcomeText(outcome)}`);
  else out(outcomeText(outcome));
  return exitCodeOf(outcome);
}

// ---- pre-flight ------------------------------------------------------------------------------

/** What the pre-flight decided for a command about to write. */
export interface PreflightGate {
  report: PreflightReport;
  /** Its lines (summary and findings), for stderr or the question. */
  lines: string[];
  /** A blocker: the command must not write. */
  blocked: boolean;
}

/** Runs the core pre-flight (it never throws) and words its findings, each with its fix. */
export async function runPreflight(ctx: UseCaseContext, ref: { functionName: string; aliasName: string; version?: string }): Promise<PreflightGate> {
  const { preflight } = await loadTriggers();
  const report = await preflight(ctx, ref);
  return { report, lines: preflightLines(ref.functionName, report), blocked: report.findings.some((f) => f.severity === 'blocker') };
}

export function preflightLines(functionName: string, report: PreflightReport): string[] {
  if (report.findings.length === 0) return [];
  const target = `${plainText(functionName)}:${plainText(report.aliasName)}`;
  return [
    preflightText.heading(target, plainText(report.summary, 400)),
    ...report.findings.map((f) =>
      preflightText.finding(
        f.severity,
        plainText(f.message, 400),
        f.fix !== undefined ? plainText(f.fix, 400) : undefined,
        f.triggerId !== undefined ? fixCommand(plainText(functionName), plainText(report.aliasName), plainText(f.triggerId, 120)) : undefined,
      ),
    ),
  ];
}

/**
 * Before a write: with --yes the findings go to stderr and a warning lets the command go on; on a
 * terminal they head the question (`questionHead`). A blocker refuses either way: exit 2 and,
 * with --json, the refusal with the report.
 */
export function preflightRefusal(gate: PreflightGate, action: Outcome['action'], run: { io: CliIO; json: boolean; yes: boolean }): number | undefined {
  const err: Print = (text) => run.io.stderr.write(`${terminalText(text)}\n`);
  if (gate.blocked || run.yes) for (const line of gate.lines) err(line);
  if (!gate.blocked) return undefined;
  const message = preflightText.refused(gate.report.findings.filter((f) => f.severity === 'blocker').length);
  err(`lambda-canary: ${message} ${confirmText.declined}`);
  if (run.json) {
    run.io.stdout.write(
      jsonText({
        action,
        target: { function: gate.report.functionName, alias: gate.report.aliasName },
        state: 'unchanged',
        error: { kind: 'validation', message, step: 'Pre-flight', left: confirmText.declined },
        warnings: [],
        preflight: gate.report,
      }),
    );
  }
  return EXIT.usage;
}

/** The question's first lines on a terminal: the findings, then the question goes on. */
export function questionHead(gate: PreflightGate | undefined): string {
  return gate?.lines.length ? `${gate.lines.join('\n')}\n` : '';
}
