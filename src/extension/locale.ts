import type { AliasRouting } from '../core/routing';
import { percentDigits, splitOf } from '../core/routing';

/**
 * Dates, numbers and percentages as the user's locale writes them (VS Code's display language,
 * `vscode.env.language`, set once at activation; English until then and in plain Node tests).
 * No vscode import: the text modules use these and are tested in plain Node. Times stay in UTC,
 * as AWS and the CLI give them, and say so.
 */

let locale = 'en';
let formats: { dateTime: Intl.DateTimeFormat; number: Intl.NumberFormat } | undefined;

/** Sets the locale (an unknown or malformed tag falls back to English). */
export function setLocale(tag: string | undefined): void {
  try {
    locale = tag ? (Intl.getCanonicalLocales(tag)[0] ?? 'en') : 'en';
  } catch {
    locale = 'en';
  }
  formats = undefined;
}

export function currentLocale(): string {
  return locale;
}

function formatters(): { dateTime: Intl.DateTimeFormat; number: Intl.NumberFormat } {
  return (formats ??= {
    dateTime: new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }),
    number: new Intl.NumberFormat(locale),
  });
}

/** A point in time (epoch ms, or an ISO / Lambda `…+0000` timestamp): date and minute, UTC. '' when there is none, '?' when it is not a time. */
export function formatDateTime(when: number | string | undefined): string {
  if (when === undefined || when === '') return '';
  const ms = typeof when === 'number' ? when : Date.parse(when.replace(/\+0000$/, 'Z'));
  if (!Number.isFinite(ms)) return '?';
  return formatters().dateTime.format(ms);
}

/** A count or an amount: `1,234` in English, `1.234` in German. */
export function formatNumber(n: number): string {
  return formatters().number.format(n);
}

/**
 * A traffic weight (0…1) as a percentage, with as many decimals as core's `formatPercent` needs
 * (never rounded to 0 or 100): `10%`, `5.5%` in English, `5,5 %` in German.
 */
export function formatPercent(weight: number): string {
  const digits = percentDigits(weight);
  if (digits === undefined) return weight < 0.5 ? `<${formatPercentDigits(0.000001, 4)}` : `>${formatPercentDigits(0.999999, 4)}`;
  return formatPercentDigits(weight, digits);
}

function formatPercentDigits(weight: number, digits: number): string {
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(weight);
}

/** `prod → 7 (90%) · 8 (10%)`, or `prod → 7` without a canary: core's aliasLabel with the locale's percentages. */
export function aliasLabel(alias: AliasRouting): string {
  const s = splitOf(alias);
  const name = alias.Name ?? '?';
  if (!s.canary) return `${name} → ${s.primary.version}`;
  return `${name} → ${s.primary.version} (${formatPercent(s.primary.weight)}) · ${s.canary.version} (${formatPercent(s.canary.weight)})`;
}
