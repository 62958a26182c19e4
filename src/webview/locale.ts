/**
 * The page's language. The host writes VS Code's display language (vscode.env.language) into
 * <html lang> and, when VS Code runs in another language than English, the extension's l10n
 * bundle (vscode.l10n.bundle) into <body data-l10n>: strings then go through l10n.t() like the
 * host's, and numbers, percentages and times are formatted for that language with Intl.
 *
 * Every page module imports this one before it calls l10n.t(), so the bundle is loaded first.
 */
import * as l10n from '@vscode/l10n';
import { percentDigits } from '../core/routing';

function setUp(): string {
  const contents = document.body?.dataset.l10n;
  if (contents) {
    try {
      l10n.config({ contents });
    } catch {
      // A bundle that does not parse leaves the page in English rather than empty.
      console.warn('Lambda Canary panel: ignored an unreadable l10n bundle.');
    }
  }
  try {
    return Intl.getCanonicalLocales(document.documentElement.lang || 'en')[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** The BCP 47 tag the page formats for (`en`, `de`, `zh-cn` → `zh-CN`). */
export const LANGUAGE = setUp();

const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.NumberFormat(LANGUAGE, options)));
  return f;
}

/** A count or measure: `1,234` (en), `1.234` (de); `digits` decimals at most. */
export function num(n: number, digits = 0): string {
  return numberFormat({ maximumFractionDigits: digits }).format(n);
}

/** A number with exactly `digits` decimals: `0.50`. */
export function fixed(n: number, digits: number): string {
  return numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/**
 * A configured weight (0..1) as a percentage, as short as possible and never rounded to 0 or 100
 * (core/routing's formatPercent, in the user's locale): `10%`, `5.5%`, `0.004%`; `10 %` in German.
 */
export function weightPercent(weight: number): string {
  const digits = percentDigits(weight);
  if (digits === undefined) return weight < 0.5 ? `<${percent(0.000001, 4)}` : `>${percent(0.999999, 4)}`;
  return numberFormat({ style: 'percent', maximumFractionDigits: digits }).format(Number((weight * 100).toFixed(digits)) / 100);
}

/** The same weight as a bare number of percent, for words a screen reader speaks: `90`, `5.5`. */
export function percentNumber(weight: number): string {
  return num(Number((weight * 100).toFixed(4)), 4);
}

/** A fraction (0..1) as a percentage with exactly `digits` decimals: `0.50%`. */
export function percent(x: number, digits: number): string {
  return numberFormat({ style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

/** An observed rate or share (0..1): `7.1%`, `0.004%` for the very small (shared/traffic's formatRate, localised). */
export function rate(x: number): string {
  return percent(x, x > 0 && x < 0.001 ? 3 : 1);
}

/** "12 s", "3 min", "2 h 5 min". */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return l10n.t('{0} s', num(s));
  const m = Math.round(s / 60);
  if (m < 90) return l10n.t('{0} min', num(m));
  return l10n.t('{0} h {1} min', num(Math.floor(m / 60)), num(m % 60));
}

/** A latency: `8.4 ms`, `250 ms`, `1.25 s`; a dash when unknown. */
export function duration(x: number | undefined): string {
  if (x === undefined) return '—';
  return x >= 1000 ? l10n.t('{0} s', fixed(x / 1000, 2)) : l10n.t('{0} ms', fixed(x, x < 10 ? 1 : 0));
}

/** Items of one thing as a list: `a, b` (en), `a, b` / `a und b` as the language joins units. */
export function list(items: string[]): string {
  return new Intl.ListFormat(LANGUAGE, { type: 'unit', style: 'long' }).format(items);
}

/** A time of day in the user's locale: `14:02:11`, `2:02:11 PM`. */
export function clock(t: number): string {
  return new Date(t).toLocaleTimeString(LANGUAGE, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The time of day today, the date and time another day. */
export function localTime(at: string, now = Date.now()): string {
  const d = new Date(at);
  if (!Number.isFinite(d.getTime())) return at;
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? clock(d.getTime()) : d.toLocaleString(LANGUAGE, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** `just now`, `45 s ago`, `5 min ago`, `3 h ago`, `2 d ago` (a time in the future reads as now). */
export function relativeTime(at: string, now = Date.now()): string {
  const t = Date.parse(at);
  if (!Number.isFinite(t)) return l10n.t('at an unknown time');
  const s = Math.round((now - t) / 1000);
  if (s < 5) return l10n.t('just now');
  if (s < 90) return l10n.t('{0} s ago', num(s));
  const m = Math.round(s / 60);
  if (m < 90) return l10n.t('{0} min ago', num(m));
  const h = Math.round(m / 60);
  if (h < 36) return l10n.t('{0} h ago', num(h));
  return l10n.t('{0} d ago', num(Math.round(h / 24)));
}
