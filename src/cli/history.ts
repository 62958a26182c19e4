/**
 * `lambda-canary history FN:ALIAS`: the alias's history (the journal and CloudTrail, merged, from
 * core's readHistory) as a list, --json (the HistoryView) or --csv; and `history return FN:ALIAS
 * ENTRY-ID`: Return to This State, asked first on a terminal (--yes elsewhere).
 */
import { sameRouting } from '../core/outcome';
import { outcomeText } from '../core/outcomeText';
import { loadHistory } from '../core/historyModule';
import type { UseCaseContext } from '../core/usecases';
import type { CloudTrailSend } from '../core/history/types';
import type { HistoryEntry, HistoryRouting, HistoryView } from '../shared/history';
import { parseSince } from '../shared/historyText';
import { plainText, terminalText } from '../shared/text';
import type { OptionValues } from './args';
import { parseCount, parseFunctionAlias, UsageError } from './args';
import type { CliIO } from './output';
import { ask, EXIT, exitCodeOf, jsonText } from './output';
import { confirmText, historyText, progressText, questions } from './messages';

export interface HistoryArgs {
  functionName: string;
  aliasName: string;
  since?: Date;
  until?: Date;
  format: 'text' | 'json' | 'csv';
  maxCloudTrailPages?: number;
  cloudTrail: boolean;
  /** `history return FN:ALIAS ENTRY-ID`. */
  returnTo?: string;
}

export interface HistoryRun {
  io: CliIO;
  ctx: UseCaseContext;
  yes: boolean;
  cloudtrail: () => Promise<CloudTrailSend>;
  /** The clock (tests). */
  now?: number;
}

/** `7d`, `24h`, `30m`, `90s`, `2w` (before `now`) or an ISO date/time → a Date; undefined when it is neither. */
export function parseWhen(value: string, now: number): Date | undefined {
  const ago = parseSince(value);
  if (ago !== undefined) return new Date(now - ago);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) return undefined;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (day) {
    // A date alone is local midnight (JavaScript would take it as UTC), as a date and time without a zone is local.
    const d = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    return d.getDate() === Number(day[3]) && d.getMonth() === Number(day[2]) - 1 ? d : undefined;
  }
  const t = Date.parse(value.trim());
  return Number.isFinite(t) ? new Date(t) : undefined;
}

/** The arguments, checked before anything connects (usage errors: exit 2). */
export function planHistory(pos: string[], values: OptionValues, now = Date.now()): HistoryArgs {
  const isReturn = pos[0] === 'return';
  const rest = isReturn ? pos.slice(1) : pos;
  if (isReturn ? rest.length !== 2 : rest.length !== 1) throw new UsageError(isReturn ? historyText.returnUsage : historyText.usage, 'history');
  const target = parseFunctionAlias(rest[0]);
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const when = (name: string) => {
    const v = str(name);
    if (v === undefined) return undefined;
    const d = parseWhen(v, now);
    if (!d) throw new UsageError(historyText.badWhen(`--${name}`, v), 'history');
    return d;
  };
  const since = when('since');
  const until = when('until');
  if (since && until && !(since.getTime() < until.getTime())) throw new UsageError(historyText.emptyWindow, 'history');
  if (since && !until && since.getTime() >= now) throw new UsageError(historyText.emptyWindow, 'history');
  if (values.json === true && values.csv === true) throw new UsageError(historyText.jsonOrCsv, 'history');
  if (isReturn && values.csv === true) throw new UsageError(historyText.csvNotForReturn, 'history');
  const pages = str('cloudtrail-pages');
  const maxCloudTrailPages = pages === undefined ? undefined : parseCount('--cloudtrail-pages', pages);
  if (maxCloudTrailPages === 0) throw new UsageError(historyText.zeroPages, 'history');
  return {
    ...target,
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    format: values.json === true ? 'json' : values.csv === true ? 'csv' : 'text',
    ...(maxCloudTrailPages !== undefined ? { maxCloudTrailPages } : {}),
    cloudTrail: values['no-cloudtrail'] !== true,
    ...(isReturn ? { returnTo: rest[1] } : {}),
  };
}

/** `2026-12-02 10:04:31` in local time. */
export function localTime(isoTime: string): string {
  const d = new Date(isoTime);
  if (Number.isNaN(d.getTime())) return isoTime;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const SOURCE_MARKS: Record<HistoryEntry['source'], string> = { journal: 'journal', cloudtrail: 'CloudTrail', both: 'journal+CloudTrail' };

function routingWords(r: HistoryRouting): string {
  const w = Object.entries(r.weights);
  if (!w.length) return r.version;
  const sum = w.reduce((t, [, x]) => t + x, 0);
  return [`${r.version} (${Number(((1 - sum) * 100).toFixed(4))}%)`, ...w.map(([v, x]) => `${v} (${Number((x * 100).toFixed(4))}%)`)].join(' · ');
}

/** The history as lines: a heading, one row per entry (newest first) with its details indented, then CloudTrail's status and lag. */
export function historyLines(view: HistoryView): string[] {
  const lines = [
    historyText.heading(`${plainText(view.functionName)}:${plainText(view.aliasName)}`, localTime(view.since), localTime(view.until), view.current ? routingWords(view.current) : undefined),
  ];
  if (view.entries.length === 0) lines.push(historyText.none);
  else {
    const rows = view.entries.map((e) => [
      localTime(e.at),
      `${plainText(e.who.name, 60)} (${plainText(e.who.client, 30)})`,
      plainText(e.summary, 160),
      e.ended,
      SOURCE_MARKS[e.source],
    ]);
    const table = [historyText.header, ...rows];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => [...row[i]].length)));
    const pad = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length))).join('  ').trimEnd();
    lines.push(pad(historyText.header));
    for (const [i, e] of view.entries.entries()) {
      lines.push(pad(rows[i]));
      lines.push(historyText.id(plainText(e.id, 80)));
      if (e.who.arn || e.who.userAgent) lines.push(historyText.caller(plainText(e.who.arn ?? '', 200), plainText(e.who.userAgent ?? '', 200)));
      for (const v of e.versionsPublished) if (v.codeSha256) lines.push(historyText.published(plainText(v.version, 20), plainText(v.codeSha256, 80), plainText(v.description ?? '', 200)));
      for (const s of e.steps ?? []) lines.push(historyText.step(plainText(s.label, 40), s.verdict ? plainText(s.verdict, 20) : undefined, plainText(s.text, 300)));
      if (e.endedText) lines.push(historyText.ended(plainText(e.endedText, 400)));
      lines.push(e.returnTo.ok ? historyText.returnable(routingWords(e.returnTo.state)) : historyText.notReturnable(e.returnTo.reason));
    }
  }
  lines.push('', plainText(view.cloudTrail.message, 600));
  if (view.cloudTrail.lagNote) lines.push(view.cloudTrail.lagNote);
  for (const p of view.journal.problems) lines.push(progressText.journalProblem(plainText(p, 400)));
  return lines;
}

export async function runHistory(a: HistoryArgs, run: HistoryRun): Promise<number> {
  const { io } = run;
  const out = (text: string) => io.stdout.write(`${terminalText(text)}\n`);
  const err = (text: string) => io.stderr.write(`${terminalText(text)}\n`);
  const history = await loadHistory();
  const read = await history.readHistory(
    { ...run.ctx, ...(a.cloudTrail ? { cloudtrail: run.cloudtrail } : {}) },
    { functionName: a.functionName, aliasName: a.aliasName, ...(a.since ? { since: a.since } : {}), ...(a.until ? { until: a.until } : {}), ...(a.maxCloudTrailPages ? { maxCloudTrailPages: a.maxCloudTrailPages } : {}) },
  );
  const view = read.detail;
  if (read.error || !view) {
    if (a.format === 'json') io.stdout.write(jsonText(read));
    else err(`lambda-canary: ${outcomeText(read)}`);
    return exitCodeOf(read);
  }
  if (a.returnTo === undefined) {
    if (a.format === 'json') io.stdout.write(jsonText(view));
    // CSV is data: written as it is (its cells are quoted), never reflowed for a terminal.
    else if (a.format === 'csv') io.stdout.write(history.historyCsv(view));
    else for (const line of historyLines(view)) out(line);
    if (a.format !== 'text' && view.cloudTrail.state !== 'read') err(progressText.warning(view.cloudTrail.message));
    return EXIT.done;
  }

  // history return FN:ALIAS ENTRY-ID
  const wanted = a.returnTo.trim();
  const matches = view.entries.filter((e) => e.id === wanted || (wanted.length >= 8 && e.id.startsWith(wanted)));
  const refuse = (message: string) => {
    err(`lambda-canary: ${message} ${confirmText.declined}`);
    if (a.format === 'json') io.stdout.write(jsonText({ action: 'return', target: { function: a.functionName, alias: a.aliasName }, state: 'unchanged', error: { kind: 'validation', message, left: confirmText.declined }, warnings: [] }));
    return EXIT.usage;
  };
  if (matches.length !== 1) return refuse(matches.length ? historyText.ambiguousEntry(plainText(wanted, 80)) : historyText.noEntry(plainText(wanted, 80), `${a.functionName}:${a.aliasName}`));
  const entry = matches[0];
  // The alias routes as the entry left it: the use case says there is nothing to do (an outcome, journalled).
  const isCurrent = !entry.returnTo.ok && view.current !== undefined && sameRouting(entry.after, view.current);
  if (!entry.returnTo.ok && !isCurrent) return refuse(historyText.cannotReturn(localTime(entry.at), entry.returnTo.reason));
  const state = entry.returnTo.ok ? entry.returnTo.state : entry.after!;
  if (!run.yes) {
    const question = questions.returnTo(a.functionName, a.aliasName, localTime(entry.at), plainText(entry.summary, 200), routingWords(state), view.current ? routingWords(view.current) : undefined);
    if (!(await ask(io, `${terminalText(question)}${questions.suffix}`))) {
      err(confirmText.declined);
      return EXIT.failed;
    }
  }
  const outcome = await history.returnToState(run.ctx, {
    functionName: a.functionName,
    aliasName: a.aliasName,
    state,
    entryId: entry.id,
    entryAt: entry.at,
    // What the user saw is what the write must still find.
    ...(view.current?.revisionId ? { expectedRevisionId: view.current.revisionId } : {}),
  });
  for (const w of outcome.warnings) err(progressText.warning(w));
  if (a.format === 'json') io.stdout.write(jsonText(outcome));
  else if (outcome.error) err(`lambda-canary: ${outcomeText(outcome)}`);
  else out(outcomeText(outcome));
  return exitCodeOf(outcome);
}
