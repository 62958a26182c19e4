/**
 * What every CodeDeploy resource module shares: AWS's exceptions (JSON 1.1 `__type`), the checks
 * on names and lists CodeDeploy's model states, timestamps and paging.
 */
import * as crypto from 'node:crypto';
import { AwsError } from '../errors';

/** A CodeDeploy exception: its name is the `__type` the SDKs map to their error classes. */
export const cdError = (name: string, message: string): AwsError => new AwsError(name, 400, message);

export type Input = Record<string, unknown>;

/** A name member (application, group, config): required, a string of 1 to 100 characters. */
export function nameOf(input: Input, member: string, required: string, invalid: string, what: string): string {
  const v = input[member];
  if (v === undefined || v === null || v === '') throw cdError(required, `The ${what} name (${member}) is required.`);
  if (typeof v !== 'string') throw cdError(invalid, `The ${what} name (${member}) must be a string.`);
  if (v.length > 100) throw cdError(invalid, `The ${what} name '${v.slice(0, 100)}…' is ${v.length} characters long; CodeDeploy takes at most 100.`);
  return v;
}

export function optionalString(input: Input, member: string, max = 1024): string | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw cdError('InvalidInputException', `${member} must be a string.`);
  if (v.length > max) throw cdError('DescriptionTooLongException', `${member} is ${v.length} characters long; CodeDeploy takes at most ${max}.`);
  return v;
}

export function optionalBoolean(input: Input, member: string): boolean | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw cdError('InvalidInputException', `${member} must be true or false.`);
  return v;
}

export function stringList(v: unknown, member: string, exception = 'InvalidInputException'): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw cdError(exception, `${member} must be a list of strings.`);
  return v as string[];
}

/** awsJson 1.1 timestamps: epoch seconds. */
export const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

export const uuid = (): string => crypto.randomUUID();

/** A deployment ID of AWS's shape: `d-` and nine capitals or digits. */
export function deploymentId(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = crypto.randomBytes(9);
  return `d-${[...bytes].map((b) => abc[b % abc.length]).join('')}`;
}

/** How many entries one page of a listing holds. */
export const PAGE = 100;

/** One page of `items` after the opaque `nextToken` (an index), and the token of the next. */
export function page<T>(items: readonly T[], token: unknown): { items: T[]; nextToken?: string } {
  let start = 0;
  if (token !== undefined && token !== null) {
    const m = typeof token === 'string' ? /^lcnt-(\d{1,9})$/.exec(token) : null;
    if (!m || Number(m[1]) > items.length) throw cdError('InvalidNextTokenException', 'The next token was specified in an invalid format: use the nextToken of a previous response.');
    start = Number(m[1]);
  }
  const end = start + PAGE;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: `lcnt-${end}` } : {}) };
}

export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
