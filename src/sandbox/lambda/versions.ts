import { invalidParameter, serviceError } from '../errors';
import type { FunctionRecord, VersionRecord } from '../model';
import { fingerprint, lambdaTimestamp } from '../model';
import { checkDescription, expectString, isVersionQualifier } from '../validation';
import { concurrentImage, concurrentUpload, newCode } from './code';
import type { LambdaContext } from './context';
import type { Reply } from './shared';
import { decodeKeyMarker, encodeKeyMarker, firstIndex, invalidMarker, PAGE, pageSize } from './shared';

/**
 * Publishes $LATEST as the next version, unless nothing changed since the last one. A $LATEST
 * whose last update Failed is published as it is, into a version whose State becomes Failed (an
 * alias cannot point to it), as on AWS; a later successful update of the same code and
 * configuration is not "nothing changed" since that version.
 */
export function snapshot(ctx: LambdaContext, fn: FunctionRecord, description: string, now: number): VersionRecord {
  const last = fn.versions[fn.versions.length - 1];
  const failure = fn.latest.updateFailure;
  if (last && fingerprint(last) === fingerprint(fn.latest) && (last.failure === undefined) === (failure === undefined)) return last;
  const v: VersionRecord = {
    version: String(fn.nextVersion++),
    settings: { ...fn.latest.settings, description },
    code: fn.latest.code,
    revisionId: ctx.revision(),
    lastModified: lambdaTimestamp(now),
    pendingUntil: now + ctx.opts.updateDelayMs,
    updatingUntil: 0,
    ...(failure ? { failure: { ...failure } } : {}),
  };
  fn.versions.push(v);
  // Publishing changes $LATEST's revision, as on AWS.
  fn.latest = { ...fn.latest, revisionId: ctx.revision() };
  return v;
}

/** PublishVersion and ListVersionsByFunction. */
export class VersionsApi {
  constructor(private readonly ctx: LambdaContext) {}

  publishVersion(pathName: string, body: Record<string, unknown>): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'PublishVersion');
    if (qualifier !== undefined) throw invalidParameter('PublishVersion publishes $LATEST: do not qualify the function name.');
    // As on AWS, a version's Description overrides the function's; without one, it keeps the function's.
    const description = body.Description === undefined ? fn.latest.settings.description : checkDescription(body.Description);
    const codeSha256 = expectString(body.CodeSha256, 'CodeSha256');
    this.ctx.checkRevision(body.RevisionId, fn.latest.revisionId, 'GetFunction/GetAlias');
    if (codeSha256 !== undefined && codeSha256 !== fn.latest.code.sha256) {
      throw invalidParameter(
        `CodeSHA256 (${String(body.CodeSha256)}) is different from current CodeSHA256 in $LATEST (${fn.latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    this.ctx.assertNotUpdating(fn);
    const v = snapshot(this.ctx, fn, description, this.ctx.opts.now());
    this.ctx.store.saveFunction(fn);
    return { status: 201, body: this.ctx.configuration(fn, v, true) };
  }

  /**
   * PublishVersion under the `publishOther` fault: an endpoint that does not enforce CodeSha256
   * or RevisionId while another client's upload lands. $LATEST's code is first replaced (as an
   * UpdateFunctionCode of that client would), then published whatever the request's CodeSha256
   * and RevisionId say; the reply is an ordinary one, with the other code's CodeSha256.
   * A request that is malformed, or names a function that is updating, is refused as usual.
   */
  async publishVersionOverConcurrentUpload(pathName: string, body: Record<string, unknown>): Promise<Reply> {
    const { fn: before, qualifier } = this.ctx.fn(pathName, 'PublishVersion');
    if (qualifier !== undefined) throw invalidParameter('PublishVersion publishes $LATEST: do not qualify the function name.');
    const description = body.Description === undefined ? before.latest.settings.description : checkDescription(body.Description);
    expectString(body.CodeSha256, 'CodeSha256');
    expectString(body.RevisionId, 'RevisionId');
    this.ctx.assertNotUpdating(before);
    let code: VersionRecord['code'];
    if (before.latest.code.image) {
      // Another client's image pushed and deployed meanwhile.
      code = concurrentImage(before.latest.code, this.ctx.opts.region);
    } else {
      const current = this.ctx.store.getBlob(before.latest.code.blob);
      if (!current) throw serviceError(`Code of ${this.ctx.arn(before.name)} is missing from the sandbox store.`);
      const other = await concurrentUpload(current);
      code = newCode(this.ctx.store, other);
    }
    // Looked up again after the wait: the function may have been changed or deleted meanwhile.
    const { fn } = this.ctx.fn(pathName, 'PublishVersion');
    this.ctx.assertNotUpdating(fn);
    const now = this.ctx.opts.now();
    fn.latest = { ...fn.latest, code, revisionId: this.ctx.revision(), lastModified: lambdaTimestamp(now) };
    const v = snapshot(this.ctx, fn, description, now);
    this.ctx.store.saveFunction(fn);
    return { status: 201, body: this.ctx.configuration(fn, v, true) };
  }

  listVersions(pathName: string, query: URLSearchParams): Reply {
    const { fn, qualifier } = this.ctx.fn(pathName, 'ListVersionsByFunction');
    if (qualifier !== undefined) throw invalidParameter('ListVersionsByFunction takes an unqualified function name.');
    const max = pageSize(query, 10_000);
    const all = [fn.latest, ...fn.versions];
    // Like ListFunctions, the marker names the last version returned, so a version deleted or
    // published between pages never makes the listing skip or repeat one.
    const rank = (version: string): number => (version === '$LATEST' ? 0 : Number(version));
    const after = decodeKeyMarker(query.get('Marker'));
    if (after !== undefined && !isVersionQualifier(after)) throw invalidMarker();
    const start = after === undefined ? 0 : firstIndex(all, (v) => rank(v.version) > rank(after));
    const page = all.slice(start, start + Math.min(max, PAGE));
    const end = start + page.length;
    return {
      status: 200,
      body: { Versions: page.map((v) => this.ctx.configuration(fn, v, true)), NextMarker: end < all.length ? encodeKeyMarker(page[page.length - 1].version) : undefined },
    };
  }
}
