import type { AliasConfiguration, FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { OperationError, throwIfAborted, unknownOutcome } from './errors';
import type { LambdaSend } from './lambdaApi';
import { errorName, getAlias, getLatestFunction, getVersion, listVersions } from './lambdaApi';
import type { WaiterTiming } from './connection';
import { AWS_WAITER_TIMING } from './connection';
import { guardedWrite, step } from './guardedWrite';
import { checkImageUri, imageFunctionNeedsUri } from './imageUri';
import { arnParts } from './outcome';
import type { AliasRef, OperationContext } from './operationContext';

export type { AliasRef, OperationContext, OperationRecord } from './operationContext';
export { newOperationRecord } from './operationContext';
import { aliasLabel, checkCanaryPercent, formatPercent, percentToWeight, splitOf } from './routing';

/**
 * The deploy operations. Each is a guarded sequence of Lambda calls: it validates everything it
 * can before the first write, writes with RevisionId / CodeSha256 preconditions, waits for
 * Lambda to settle after code changes and publishes, and never routes traffic to a version that
 * is not published and Active. On failure it throws an OperationError naming the step and the
 * state left behind; the alias is then exactly as it was.
 */

export interface PublishCanaryInput extends AliasRef {
  weightPercent: number;
  /** Publish (and smoke-test) the version, route nothing to it: a release moves its aliases later, together. weightPercent is not read. */
  publishOnly?: boolean;
  /** With publishOnly: the version will take all of the alias's traffic at once (a plan of only 100%), so its execution role need not match the serving version's. */
  fullSwitch?: boolean;
  /** The packaged workspace code and its base64 SHA-256 (as Lambda reports CodeSha256). */
  zip: Uint8Array;
  codeSha256: string;
  /** Version description, e.g. the git commit. */
  description?: string;
  /** When set, the new version is invoked with this event before any traffic is routed to it. */
  smokeEvent?: unknown;
}

export interface PublishCanaryResult {
  version: string;
  alias: AliasConfiguration;
  /** The deployed $LATEST already held this exact code: nothing was uploaded. */
  uploadSkipped: boolean;
}

export interface SwitchResult {
  alias: AliasConfiguration;
  /** Where the alias pointed before: what "Switch Back" returns to. */
  previousVersion: string;
}

// ---- step machinery ----------------------------------------------------------------------

/**
 * `state`: what is true besides the alias being untouched, e.g. that a version was published;
 * `cause`: Lambda's PreconditionFailedException when the guarded write itself was refused.
 */
function conflictOnAlias(ref: AliasRef, state = `Nothing was written to ${ref.aliasName}.`, cause?: unknown): OperationError {
  return new OperationError(
    `\`${ref.aliasName}\` changed since you loaded it — refresh and retry.`, { step: `UpdateAlias ${ref.aliasName}`, state: state, cause: cause, kind: 'conflict' },
  );
}

/** A canary needs a published primary version and no canary running already. */
function assertCanCanary(aliasName: string, split: ReturnType<typeof splitOf>): void {
  if (split.primary.version === '$LATEST') {
    throw invalid(`${aliasName} points to $LATEST. A canary needs a published primary version: switch ${aliasName} to a version first.`);
  }
  if (split.canary) {
    throw invalid(`${aliasName} already runs a canary (version ${split.canary.version} at ${formatPercent(split.canary.weight)}). Promote or roll it back first.`);
  }
}

function invalid(message: string): OperationError {
  return new OperationError(message, { state: 'Nothing was changed.', kind: 'validation' });
}

/** What was asked is already so: the operation stops, and its use case reports that, not a failure. */
function nothingToDo(message: string): OperationError {
  return new OperationError(message, { state: 'Nothing was changed.', kind: 'validation', nothingToDo: true });
}

function timing(ctx: OperationContext): WaiterTiming {
  return ctx.waiters ?? AWS_WAITER_TIMING;
}

function asClient(lambda: LambdaSend): LambdaClient {
  // The SDK waiters only ever call client.send.
  return lambda as LambdaClient;
}

/** Reads the alias (a step of the outcome, its `before`) and checks it is still the one the user decided on. */
export async function loadAlias(ctx: OperationContext, ref: AliasRef): Promise<AliasConfiguration> {
  const alias = await step(ctx, `GetAlias ${ref.aliasName}`, 'Nothing was changed.', () => getAlias(ctx.lambda, ref.functionName, ref.aliasName, ctx.signal));
  if (ctx.record) ctx.record.before = alias;
  if (!alias.RevisionId) {
    const warning = `This endpoint returns ${ref.aliasName} without a RevisionId, so writes to it cannot be guarded: a change another client makes meanwhile would be overwritten.`;
    ctx.log.warn(warning);
    ctx.record?.warnings.push(warning);
  }
  if (ref.expectedRevisionId && alias.RevisionId !== ref.expectedRevisionId) throw conflictOnAlias(ref);
  return alias;
}

/** Same AdditionalVersionWeights (absent is none). */
export function sameWeights(a: Record<string, number> | undefined, b: Record<string, number>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}

/**
 * UpdateAlias guarded by the RevisionId just read; a stale one becomes a friendly conflict.
 * When the write's outcome is unknown (no answer, a server error, or a refusal of a retry whose
 * first attempt may have gone through), the alias is read back: if it shows exactly the intended
 * routing, the write went through and the operation succeeds; otherwise the error says what the
 * alias looks like now.
 */
export async function writeAlias(
  ctx: OperationContext,
  ref: AliasRef,
  alias: AliasConfiguration,
  /** `description`: written too (a rollout's lease lives there); undefined leaves it as it is. */
  change: { FunctionVersion?: string; weights: Record<string, number>; description?: string },
  stateIfFailed: string,
  /** What stays true whatever the write did, e.g. that a version was published. */
  alsoTrue?: string,
): Promise<AliasConfiguration> {
  throwIfAborted(ctx.signal, stateIfFailed);
  const primary = change.FunctionVersion ?? alias.FunctionVersion;
  const also = alsoTrue ? `${alsoTrue} ` : '';
  const written = await guardedWrite<AliasConfiguration, AliasConfiguration>(ctx, {
    step: `UpdateAlias ${ref.aliasName}`,
    stateIfFailed,
    send: () =>
      ctx.lambda.send(
        new UpdateAliasCommand({
          FunctionName: ref.functionName,
          Name: ref.aliasName,
          FunctionVersion: primary,
          RoutingConfig: { AdditionalVersionWeights: change.weights },
          ...(change.description !== undefined ? { Description: change.description } : {}),
          RevisionId: alias.RevisionId,
        }),
        // No abort once the write is on its way: a cancelled UpdateAlias would leave the user
        // unsure whether traffic moved.
      ),
    readBack: () => getAlias(ctx.lambda, ref.functionName, ref.aliasName),
    landedNote: `${ref.aliasName} reads back as intended: the write went through`,
    judge: (now, cause) => {
      if (ctx.record) ctx.record.after = now;
      if (
        now.FunctionVersion === primary &&
        sameWeights(now.RoutingConfig?.AdditionalVersionWeights, change.weights) &&
        (change.description === undefined || (now.Description ?? '') === change.description)
      ) {
        return { landed: now };
      }
      // Someone else wrote the alias meanwhile: say what it shows, not that it is unchanged.
      // Without RevisionIds (some emulators) only the routing itself can tell.
      const moved =
        now.RevisionId && alias.RevisionId
          ? now.RevisionId !== alias.RevisionId
          : now.FunctionVersion !== alias.FunctionVersion || !sameWeights(now.RoutingConfig?.AdditionalVersionWeights, alias.RoutingConfig?.AdditionalVersionWeights ?? {});
      if (moved) {
        throw conflictOnAlias(ref, `${also}${ref.aliasName} now routes ${aliasLabel(now)}, set by another client; this request's routing is not in place.`, cause);
      }
      return {};
    },
    unknown: (cause) => {
      const before = aliasLabel(alias);
      const intended = aliasLabel({ Name: alias.Name ?? ref.aliasName, FunctionVersion: primary, RoutingConfig: { AdditionalVersionWeights: change.weights } });
      return unknownOutcome({
        step: `UpdateAlias ${ref.aliasName}`,
        subject: ref.aliasName,
        cause,
        maybe: `${also}${ref.aliasName} may now route as requested (${intended}), or still as before (${before}).`,
        check: `Refresh and look at ${ref.aliasName}: if it shows ${intended}, the change went through; if it still shows ${before}, the request did not take effect and you can retry.`,
      });
    },
    refused: (name, cause, state) => (name === 'PreconditionFailedException' ? conflictOnAlias(ref, state, cause) : undefined),
  });
  if (ctx.record) ctx.record.after = written;
  return written;
}

/**
 * `kind`: 'validation' when nothing was written yet (the user's choice is refused); a deploy that
 * already published the version says 'aws' instead — it failed, and it did change something.
 */
export async function assertRoutable(
  ctx: OperationContext,
  ref: AliasRef,
  primary: string,
  target: string,
  stateIfFailed: string,
  kind: 'validation' | 'aws' = 'validation',
  /** false: the target takes all of the alias's traffic (a promotion, a blue/green switch). Lambda needs the same execution role only for a weighted split. */
  split = true,
): Promise<FunctionConfiguration> {
  const [p, t] = await step(ctx, split ? `Check versions ${primary} and ${target}` : `Check version ${target}`, stateIfFailed, () =>
    Promise.all([split ? getVersion(ctx.lambda, ref.functionName, primary, ctx.signal) : undefined, getVersion(ctx.lambda, ref.functionName, target, ctx.signal)]),
  );
  if (t.State !== 'Active') {
    throw new OperationError(`Version ${target} is ${t.State ?? 'not Active'}; traffic can only go to an Active version.`, { state: stateIfFailed, kind });
  }
  if (p && p.Role !== t.Role) {
    throw new OperationError(
      `Versions ${primary} and ${target} use different execution roles (${p.Role} vs ${t.Role}); Lambda only splits traffic between versions with the same role. A blue/green switch (Switch Alias, or a plan of only 100%) moves all traffic at once and needs no common role.`, { state: stateIfFailed, kind },
    );
  }
  return t;
}

/** `$LATEST`'s configuration; `untilDone`: not cancellable (a read-back after a write must finish). */
function readLatest(ctx: OperationContext, functionName: string, untilDone = false): Promise<FunctionConfiguration> {
  return ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }), { abortSignal: untilDone ? undefined : ctx.signal });
}

/**
 * The code a deploy puts in $LATEST: a zip package built here, or a container image the user
 * pushed to ECR, by URI. Everything after the upload (publish, verify, smoke test, route) is the
 * same for both.
 */
type NewCode =
  | { kind: 'zip'; zip: Uint8Array; codeSha256: string }
  /** `digest`: known before the upload when the URI names it; a tag's is what Lambda resolves it to. */
  | { kind: 'image'; imageUri: string; digest?: string };

/** What a deploy is given besides its code. */
interface DeployRef extends AliasRef {
  weightPercent: number;
  publishOnly?: boolean;
  /** With publishOnly: the version will take all of the alias's traffic at once (a plan of only 100%), so its execution role need not match the serving version's. */
  fullSwitch?: boolean;
  description?: string;
  smokeEvent?: unknown;
}

/** How messages name the code: 'package' or 'image'. */
function codeNoun(code: NewCode): string {
  return code.kind === 'zip' ? 'package' : 'image';
}

/**
 * The refusal of a deploy whose $LATEST, read back after a write that got no clear answer (or was
 * refused), holds code that is neither what it held before nor this deploy's: another client
 * uploaded meanwhile. Says what $LATEST holds now rather than that nothing changed.
 */
function latestChangedByAnother(input: AliasRef, now: FunctionConfiguration, step: string, cause: unknown, published: string): OperationError {
  return new OperationError(
    `${input.functionName}'s code was changed by another client while this deploy was writing it — refresh and retry.`, { step: step, state: `$LATEST now holds other code (CodeSha256 ${now.CodeSha256}${now.LastModified ? `, last modified ${now.LastModified}` : ''}), set by another client; this deploy's code is not in place, ${published} and ${input.aliasName} routes as before.`, cause: cause, kind: 'conflict' },
  );
}

/** Which published versions hold this deploy's code, as a clause of a state text. */
function versionsHolding(versions: FunctionConfiguration[], codeSha256: string): string {
  const holding = versions.filter((v) => v.Version !== '$LATEST' && v.CodeSha256 === codeSha256).map((v) => v.Version!);
  if (holding.length === 0) return 'no version holds this code';
  return `${holding.length === 1 ? 'version' : 'versions'} ${holding.join(', ')} ${holding.length === 1 ? 'holds' : 'hold'} this code`;
}

/**
 * Waits until $LATEST's last update is applied, then reads it back: it must still hold this
 * deploy's code (`codeSha256`), and the update must not have Failed (the reason is said).
 */
async function settleLatest(ctx: OperationContext, input: AliasRef, codeSha256: string, stateIfFailed: string): Promise<FunctionConfiguration> {
  const fn = input.functionName;
  const t = timing(ctx);
  let updateFailed = false;
  try {
    await step(ctx, 'Wait for FunctionUpdated', stateIfFailed, async () => {
      try {
        const r = await waitUntilFunctionUpdatedV2({ client: asClient(ctx.lambda), ...t, abortSignal: ctx.signal }, { FunctionName: fn });
        if (r.state !== 'SUCCESS') throw new Error(`the update ended in state ${r.state}`);
      } catch (e) {
        // The waiter gives up on LastUpdateStatus Failed (an Error whose message is its JSON
        // result): the step is recorded as failed, and the configuration read next says why.
        throw waiterFailed(e) ? new UpdateFailed() : e;
      }
    });
  } catch (e) {
    if (!(e instanceof OperationError && e.cause instanceof UpdateFailed)) throw e;
    updateFailed = true;
  }
  const settled = await step(ctx, 'GetFunctionConfiguration $LATEST', stateIfFailed, () => readLatest(ctx, fn));
  if (settled.CodeSha256 !== codeSha256) {
    throw new OperationError(
      `${fn}'s code was changed by someone else during this deploy — refresh and retry.`, { step: 'UpdateFunctionCode', state: `$LATEST now holds other code (CodeSha256 ${settled.CodeSha256}), set by another client; no version was published and ${input.aliasName} is unchanged.`, kind: 'conflict' },
    );
  }
  if (settled.LastUpdateStatus === 'Failed') {
    const code = settled.LastUpdateStatusReasonCode ? ` (${settled.LastUpdateStatusReasonCode})` : '';
    throw new OperationError(`Lambda could not apply the new code: ${(settled.LastUpdateStatusReason ?? 'update failed').replace(/\.$/, '')}${code}.`, { step: 'UpdateFunctionCode', state: `No version was published; ${input.aliasName} is unchanged.` });
  }
  if (updateFailed) throw new OperationError('Wait for FunctionUpdated failed: the update ended Failed.', { step: 'Wait for FunctionUpdated', state: stateIfFailed });
  return settled;
}

/** The waiter for FunctionUpdated stopped on LastUpdateStatus Failed. */
class UpdateFailed extends Error {
  constructor() {
    super('LastUpdateStatus is Failed: Lambda could not apply the update');
  }
}

function waiterFailed(e: unknown): boolean {
  try {
    return (JSON.parse((e as Error).message) as { state?: unknown }).state === 'FAILURE';
  } catch {
    return false;
  }
}

/** The settings a published version snapshots from $LATEST, besides its code. */
function sameSettings(a: FunctionConfiguration, b: FunctionConfiguration): boolean {
  const env = (c: FunctionConfiguration) => JSON.stringify(Object.entries(c.Environment?.Variables ?? {}).sort(([x], [y]) => x.localeCompare(y)));
  const image = (c: FunctionConfiguration) => JSON.stringify(c.ImageConfigResponse?.ImageConfig ?? null);
  return a.Runtime === b.Runtime && a.Handler === b.Handler && a.Role === b.Role && a.Timeout === b.Timeout && a.MemorySize === b.MemorySize && env(a) === env(b) && image(a) === image(b);
}

/** The refusal of a zip deploy of an image function: what to give instead. */
export function zipDeployOfImageFunction(fn: string): OperationError {
  return invalid(imageFunctionNeedsUri(fn));
}

/** A function's package type is fixed at its creation: a zip deploy of an image function, or the reverse, is refused before any write. */
function assertPackageType(fn: string, latest: FunctionConfiguration, code: NewCode): void {
  const image = latest.PackageType === 'Image';
  if (code.kind === 'zip' && image) throw zipDeployOfImageFunction(fn);
  if (code.kind === 'image' && !image) {
    throw invalid(
      `${fn} is a zip function (PackageType ${latest.PackageType ?? 'Zip'}): it cannot take an image URI, and Lambda does not change a function's package type. Deploy its code from the workspace (without --image-uri), or create an image function for the image.`,
    );
  }
}

// ---- operations --------------------------------------------------------------------------

/**
 * Package already built by the caller → UpdateFunctionCode (unless unchanged) → wait →
 * PublishVersion (CodeSha256 + RevisionId) → wait until Active → optional smoke invoke →
 * UpdateAlias routing `weightPercent` of the alias to the new version.
 */
export function publishCanary(ctx: OperationContext, input: PublishCanaryInput): Promise<PublishCanaryResult> {
  return deployCode(ctx, input, { kind: 'zip', zip: input.zip, codeSha256: input.codeSha256 });
}

export interface PublishImageInput extends AliasRef {
  weightPercent: number;
  /** The ECR image the user pushed: `…/repo:tag` or `…/repo@sha256:…`. */
  imageUri: string;
  description?: string;
  smokeEvent?: unknown;
}

/**
 * The same deploy for an image function: UpdateFunctionCode { ImageUri } (unless $LATEST already
 * runs that digest) → wait → PublishVersion with the image's CodeSha256 (its digest) → the same
 * checks and routing as a zip's. Lambda Canary builds no image: it deploys the one given.
 */
export async function publishImageCanary(ctx: OperationContext, input: PublishImageInput): Promise<PublishCanaryResult> {
  const checked = checkImageUri(input.imageUri);
  if (!checked.ok) throw invalid(checked.message);
  const imageUri = checked.value.uri;
  return deployCode(ctx, { ...input, description: input.description ?? defaultDescription(imageUri) }, { kind: 'image', imageUri, digest: checked.value.digest });
}

/**
 * A version's description when the caller gives none: `Lambda Canary <UTC date and time>`, then
 * what was deployed (an image URI) as far as Lambda's 256 characters allow (its end: the tag or digest).
 */
export function defaultDescription(what?: string, now = new Date()): string {
  const head = `Lambda Canary ${now.toISOString().slice(0, 16).replace('T', ' ')}`;
  if (what === undefined) return head;
  const room = 256 - head.length - 1;
  return `${head} ${what.length <= room ? what : `…${what.slice(what.length - room + 1)}`}`;
}

async function deployCode(ctx: OperationContext, input: DeployRef, code: NewCode): Promise<PublishCanaryResult> {
  const pct = input.publishOnly ? ({ ok: true, value: 0 } as const) : checkCanaryPercent(input.weightPercent);
  if (!pct.ok) throw invalid(pct.message);
  const weight = percentToWeight(pct.value);
  const fn = input.functionName;
  const noun = codeNoun(code);

  ctx.progress?.(`Checking ${input.aliasName}…`);
  const alias = await loadAlias(ctx, input);
  const split = splitOf(alias);
  assertCanCanary(input.aliasName, split);

  const latest = await step(ctx, 'GetFunctionConfiguration $LATEST', 'Nothing was changed.', () => readLatest(ctx, fn));
  assertPackageType(fn, latest, code);
  if (code.kind === 'image') {
    const region = arnParts(latest.FunctionArn).region;
    const checked = checkImageUri(code.imageUri, region);
    if (!checked.ok) throw invalid(checked.message);
  }
  // What $LATEST must hold: a zip's CodeSha256 or an image's digest; a tag's digest is known once
  // Lambda resolved it (the UpdateFunctionCode answer).
  let codeSha256 = code.kind === 'zip' ? code.codeSha256 : code.digest;
  let current = latest;
  // A tag is always sent again: Lambda resolves it at UpdateFunctionCode, and the tag may name
  // another image since (a deploy that finds the same digest publishes nothing new).
  // After a Failed update $LATEST reports the code it could not apply: that is never "already
  // deployed" (a version of it would be Failed), so the code is sent again.
  const lastFailed = latest.LastUpdateStatus === 'Failed';
  if (lastFailed && codeSha256 !== undefined && latest.CodeSha256 === codeSha256) {
    ctx.log.info(`$LATEST has CodeSha256 ${codeSha256}, but its last update Failed (${latest.LastUpdateStatusReasonCode ?? 'no reason given'}): sending the code again.`);
  }
  const uploadSkipped = codeSha256 !== undefined && latest.CodeSha256 === codeSha256 && !lastFailed;
  if (ctx.record) ctx.record.uploadSkipped = uploadSkipped;
  if (uploadSkipped) {
    ctx.log.info(`No code change: $LATEST already has CodeSha256 ${codeSha256}; skipping the upload.`);
    if (latest.LastUpdateStatus === 'InProgress' || latest.State === 'Pending') {
      // An update (someone else's, or an earlier attempt of this deploy) is still being applied:
      // Lambda refuses PublishVersion until it is done.
      ctx.progress?.('Waiting for an update in progress to finish…');
      current = await settleLatest(ctx, input, codeSha256!, 'Nothing was changed.');
    }
  } else {
    ctx.progress?.(code.kind === 'zip' ? `Uploading ${(code.zip.length / 1024).toFixed(0)} KB…` : `Updating $LATEST to ${code.imageUri}…`);
    const nothing = `Nothing was changed: $LATEST and ${input.aliasName} are as they were.`;
    const uploadUnknown = (cause: unknown) =>
      unknownOutcome({
        step: 'UpdateFunctionCode',
        subject: '$LATEST',
        cause,
        maybe: `$LATEST may or may not hold the new code. No version was published and ${input.aliasName} routes as before.`,
        check:
          code.kind === 'image' && code.digest === undefined
            ? `Run Publish Canary again: it sends ${code.imageUri} again, and Lambda resolves the tag anew.`
            : `Run Publish Canary again: it uploads only if $LATEST does not already hold this code (or its last update Failed).`,
      });
    const updated = await guardedWrite<FunctionConfiguration, FunctionConfiguration & { imageUri?: string }>(ctx, {
      step: 'UpdateFunctionCode',
      stateIfFailed: nothing,
      // No abort once the upload is on its way (nor for the publish below): a cancelled write
      // leaves its outcome unknown; Cancel takes effect at the next step instead.
      send: () =>
        ctx.lambda.send(
          new UpdateFunctionCodeCommand(
            code.kind === 'zip' ? { FunctionName: fn, ZipFile: code.zip, RevisionId: latest.RevisionId } : { FunctionName: fn, ImageUri: code.imageUri, RevisionId: latest.RevisionId },
          ),
        ),
      // The upload may have gone through unanswered: look at $LATEST instead of guessing.
      // Not cancellable: a read-back after a write must finish.
      readBack: () => (code.kind === 'zip' ? readLatest(ctx, fn, true) : getLatestFunction(ctx.lambda, fn)),
      landedNote: '$LATEST reads back with the new code: the upload went through',
      judge: (now, cause) => {
        const ours = codeSha256 !== undefined ? now.CodeSha256 === codeSha256 : now.imageUri === (code as { imageUri: string }).imageUri;
        if (ours) {
          // $LATEST may have held this very code before (a tag sent again, a retry after a Failed
          // update): only a new revision, or other code than before, shows that the write landed.
          const written = revisionChanged(latest, now);
          if (written === true || now.CodeSha256 !== latest.CodeSha256) return { landed: now };
          if (written === undefined) {
            ctx.log.error(`UpdateFunctionCode got no clear answer (${errorName(cause) || 'Error'}); $LATEST reads back with the code it held before, without a RevisionId or LastModified to tell whether the write landed.`);
            throw uploadUnknown(cause);
          }
          // The same revision as before: the write did not land.
          return {};
        }
        if (now.CodeSha256 !== latest.CodeSha256) {
          // Neither the code before nor this deploy's: not "as it was".
          ctx.log.error(`UpdateFunctionCode got no clear answer (${errorName(cause) || 'Error'}), and $LATEST reads back with code ${now.CodeSha256} of another client.`);
          throw latestChangedByAnother(input, now, 'UpdateFunctionCode', cause, 'no version was published');
        }
        return {};
      },
      unknown: uploadUnknown,
      refused: (name, cause) => {
        if (name === 'PreconditionFailedException') {
          return new OperationError(`${fn} changed since it was read (another deploy?) — refresh and retry.`, { step: 'UpdateFunctionCode', state: 'Nothing was changed.', cause, kind: 'conflict' });
        }
        if (name === 'ResourceConflictException') {
          return new OperationError(`${fn} is being updated by someone else right now. Wait for that update to finish, then retry.`, { step: 'UpdateFunctionCode', state: 'Nothing was changed.', cause, kind: 'conflict' });
        }
        return undefined;
      },
    });
    if (codeSha256 === undefined) {
      codeSha256 = updated.CodeSha256;
      if (!codeSha256) {
        throw new OperationError(`Lambda answered UpdateFunctionCode without the image's digest (CodeSha256): its image cannot be checked.`, {
          step: 'UpdateFunctionCode',
          state: `$LATEST holds the new image; no version was published and ${input.aliasName} is unchanged.`,
        });
      }
      ctx.log.info(`Lambda resolved ${(code as { imageUri: string }).imageUri} to the digest sha256:${codeSha256}.`);
    } else if (updated.CodeSha256 !== codeSha256) {
      throw new OperationError(
        code.kind === 'zip'
          ? `Lambda computed CodeSha256 ${updated.CodeSha256} for the upload, not ${codeSha256}: the package changed in transit.`
          : `Lambda resolved the image to CodeSha256 ${updated.CodeSha256}, not the digest ${codeSha256} the URI names.`,
        { step: 'UpdateFunctionCode', state: `$LATEST holds the uploaded code; no version was published and ${input.aliasName} is unchanged.` },
      );
    }
    ctx.progress?.('Waiting for the code update to finish…');
    current = await settleLatest(ctx, input, codeSha256, `$LATEST holds the new code; no version was published and ${input.aliasName} is unchanged.`);
  }
  return publishAndRoute(ctx, input, { alias, split, weight, current, codeSha256: codeSha256!, uploadSkipped, noun });
}

/**
 * Whether $LATEST was written since `before` was read: by its RevisionId, else its LastModified;
 * undefined when the endpoint returns neither (some emulators).
 */
function revisionChanged(before: FunctionConfiguration, now: FunctionConfiguration): boolean | undefined {
  if (before.RevisionId && now.RevisionId) return before.RevisionId !== now.RevisionId;
  if (before.LastModified && now.LastModified) return before.LastModified !== now.LastModified;
  return undefined;
}

/**
 * The part of a deploy after $LATEST holds its code, the same for a zip and an image: publish
 * $LATEST (CodeSha256 + RevisionId preconditions), check the version holds exactly this code,
 * wait until it is Active, smoke-test it, then route the weight to it.
 */
async function publishAndRoute(
  ctx: OperationContext,
  input: DeployRef,
  s: { alias: AliasConfiguration; split: ReturnType<typeof splitOf>; weight: number; current: FunctionConfiguration; codeSha256: string; uploadSkipped: boolean; noun: string },
): Promise<PublishCanaryResult> {
  const { alias, split, weight, current, codeSha256, uploadSkipped, noun } = s;
  const fn = input.functionName;
  const beforePublish = uploadSkipped ? 'Nothing was changed.' : `$LATEST holds the new code; no version was published and ${input.aliasName} is unchanged.`;
  ctx.progress?.('Publishing a version…');
  const published = await guardedWrite<FunctionConfiguration, FunctionConfiguration[]>(ctx, {
    step: 'PublishVersion',
    stateIfFailed: beforePublish,
    send: () =>
      ctx.lambda.send(new PublishVersionCommand({ FunctionName: fn, CodeSha256: codeSha256, RevisionId: current.RevisionId, Description: input.description })),
    // The publish may have gone through unanswered. Lambda publishes nothing new while $LATEST
    // matches the newest version, and answers with that version: so does this.
    readBack: () => listVersions(ctx.lambda, fn),
    landedNote: 'the newest version holds exactly this code and configuration: using it',
    judge: async (versions, cause) => {
      const newest = versions.find((v) => v.Version !== '$LATEST');
      if (newest && newest.CodeSha256 === codeSha256 && sameSettings(newest, current)) return { landed: newest };
      // Not published as asked. "$LATEST holds the new code" is only said when it still does.
      const now = await readLatest(ctx, fn, true).catch(() => undefined);
      if (!now) {
        return {
          state: `The newest version is not this deploy's (${versionsHolding(versions, codeSha256)}), and $LATEST could not be read back; no traffic was routed to any new version and ${input.aliasName} routes as before.`,
        };
      }
      if (now.CodeSha256 !== codeSha256) {
        ctx.log.error(`PublishVersion got no clear answer (${errorName(cause) || 'Error'}), and $LATEST reads back with code ${now.CodeSha256} of another client.`);
        throw latestChangedByAnother(input, now, 'PublishVersion', cause, versionsHolding(versions, codeSha256));
      }
      return {};
    },
    unknown: (cause) =>
      unknownOutcome({
        step: 'PublishVersion',
        subject: `the versions of ${fn}`,
        cause,
        maybe: `A new version of this code may or may not exist; no traffic was routed to any new version and ${input.aliasName} routes as before.`,
        check: `Run Publish Canary again: Lambda publishes no second version of the same code and configuration, so it reuses one that landed.`,
      }),
    refused: (name, cause, state) => {
      if (name === 'PreconditionFailedException' || name === 'InvalidParameterValueException') {
        return new OperationError(`${fn}'s $LATEST changed before it could be published (another deploy?) — refresh and retry.`, { step: 'PublishVersion', state, cause, kind: 'conflict' });
      }
      if (name === 'ResourceConflictException') {
        return new OperationError(`${fn} is being updated by someone else right now. Wait for that update to finish, then retry.`, { step: 'PublishVersion', state, cause, kind: 'conflict' });
      }
      return undefined;
    },
  });
  const version = published.Version!;
  if (version === split.primary.version) {
    throw nothingToDo(
      noun === 'image'
        ? `No change to deploy: the image (CodeSha256 ${codeSha256}) and configuration are identical to version ${version}, which ${input.aliasName} already serves.`
        : `No change to deploy: the workspace code and configuration are identical to version ${version}, which ${input.aliasName} already serves.`,
    );
  }
  ctx.record?.published.push({ version, codeSha256: published.CodeSha256, description: published.Description });
  const unrouted = `Version ${version} was published but receives no traffic; ${input.aliasName} is unchanged.`;
  if (published.CodeSha256 !== codeSha256) {
    // An endpoint that does not enforce PublishVersion's CodeSha256 precondition publishes
    // whatever $LATEST holds, e.g. another client's upload that landed meanwhile: that code was
    // never packaged, built or smoke-tested here, so it gets no traffic.
    ctx.log.error(`Version ${version} holds CodeSha256 ${published.CodeSha256}, not the ${noun}'s ${codeSha256}: not routing to it.`);
    throw new OperationError(
      `Version ${version} was published with other code than this ${noun} (CodeSha256 ${published.CodeSha256 ?? 'missing'}, expected ${codeSha256}): another upload landed before the publish and the endpoint did not refuse it. No traffic was routed to it.`,
      { step: 'PublishVersion', state: unrouted, kind: 'conflict' },
    );
  }
  ctx.log.info(`Published version ${version} (CodeSha256 ${published.CodeSha256}).`);

  ctx.progress?.(`Waiting for version ${version} to become Active…`);
  const t = timing(ctx);
  await step(ctx, `Wait for version ${version} Active`, unrouted, async () => {
    const r = await waitUntilPublishedVersionActive({ client: asClient(ctx.lambda), ...t, abortSignal: ctx.signal }, { FunctionName: fn, Qualifier: version });
    if (r.state !== 'SUCCESS') throw new Error(`version ${version} ended in state ${r.state}`);
  });
  const target = await assertRoutable(ctx, input, split.primary.version, version, unrouted, 'aws', !input.fullSwitch);

  if (input.smokeEvent !== undefined) await smokeInvoke(ctx, fn, version, input.smokeEvent, target, unrouted);
  if (input.publishOnly) return { version, alias, uploadSkipped };

  throwIfAborted(ctx.signal, unrouted);
  ctx.progress?.(`Routing ${formatPercent(weight)} of ${input.aliasName} to version ${version}…`);
  const updated = await writeAlias(ctx, input, alias, { weights: { [version]: weight } }, unrouted, `Version ${version} was published.`);
  ctx.log.info(`${input.aliasName} → ${split.primary.version} (${formatPercent(1 - weight)}) · ${version} (${formatPercent(weight)})`);
  return { version, alias: updated, uploadSkipped };
}

/**
 * The smoke test: the version invoked once with `event` (the workspace's test event) before any
 * traffic goes to it; a function error refuses with its errorType and message. `target`: the
 * version's configuration, whose Timeout (plus 10 s for a cold start) bounds the wait.
 */
export async function smokeInvoke(ctx: OperationContext, fn: string, version: string, event: unknown, target: Pick<FunctionConfiguration, 'Timeout'>, stateIfFailed: string): Promise<void> {
  ctx.progress?.(`Smoke-testing version ${version}…`);
  const res = await step(ctx, `Smoke invoke of version ${version}`, stateIfFailed, () =>
    ctx.lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: version, Payload: Buffer.from(JSON.stringify(event)) }), {
      abortSignal: ctx.signal,
      requestTimeout: ctx.smokeTimeoutMs ?? (target.Timeout ?? 3) * 1000 + 10_000,
    }),
  );
  if (res.FunctionError) {
    const body = res.Payload ? Buffer.from(res.Payload).toString('utf8') : '';
    let detail = body;
    try {
      const parsed = JSON.parse(body) as { errorType?: string; errorMessage?: string };
      detail = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? body}`;
    } catch {
      // keep the raw body
    }
    ctx.log.error(`Smoke test of version ${version} failed: ${detail}`);
    throw new OperationError(`The smoke test of version ${version} failed (${detail}). No traffic was routed to it.`, { step: `Smoke invoke of version ${version}`, state: stateIfFailed });
  }
  ctx.log.info(`Smoke test of version ${version} passed.`);
}

/**
 * A canary of a version that is already published (e.g. the one `staging` runs) on an alias:
 * nothing is uploaded or published; the version must be Active and share the primary's role.
 */
export async function startCanary(ctx: OperationContext, ref: AliasRef, version: string, weightPercent: number): Promise<AliasConfiguration> {
  const pct = checkCanaryPercent(weightPercent);
  if (!pct.ok) throw invalid(pct.message);
  if (version === '$LATEST') throw invalid('A canary must be a published version, not $LATEST: publish a version first.');
  if (!/^[0-9]+$/.test(version)) throw invalid(`'${version}' is not a version number.`);
  const weight = percentToWeight(pct.value);
  const alias = await loadAlias(ctx, ref);
  const split = splitOf(alias);
  assertCanCanary(ref.aliasName, split);
  if (split.primary.version === version) throw invalid(`${ref.aliasName} already serves version ${version}: a canary needs another version.`);
  await assertRoutable(ctx, ref, split.primary.version, version, `${ref.aliasName} is unchanged.`);
  const out = await writeAlias(ctx, ref, alias, { weights: { [version]: weight } }, `${ref.aliasName} is unchanged.`);
  ctx.log.info(`${ref.aliasName} → ${split.primary.version} (${formatPercent(1 - weight)}) · ${version} (${formatPercent(weight)})`);
  return out;
}

/** Changes the share of an alias's traffic its canary version receives. */
export async function setCanaryWeight(ctx: OperationContext, ref: AliasRef, weightPercent: number): Promise<AliasConfiguration> {
  const pct = checkCanaryPercent(weightPercent);
  if (!pct.ok) throw invalid(pct.message);
  const alias = await loadAlias(ctx, ref);
  const split = splitOf(alias);
  if (!split.canary) throw invalid(`${ref.aliasName} runs no canary: publish one first.`);
  const weight = percentToWeight(pct.value);
  const out = await writeAlias(ctx, ref, alias, { weights: { [split.canary.version]: weight } }, `${ref.aliasName} is unchanged.`);
  ctx.log.info(`${ref.aliasName}: canary version ${split.canary.version} now gets ${formatPercent(weight)}.`);
  return out;
}

function checkExpectedCanary(ref: AliasRef, canary: string, what: string): void {
  if (ref.expectedCanary === undefined || ref.expectedCanary === canary) return;
  throw new OperationError(`${ref.aliasName}'s canary is version ${canary}, not ${ref.expectedCanary}: not yours to ${what} (another deploy's?).`, {
    state: `${ref.aliasName} is unchanged.`,
    kind: 'conflict',
  });
}

/** The canary version takes 100% of the alias; the routing is cleared. */
export async function promoteCanary(ctx: OperationContext, ref: AliasRef): Promise<SwitchResult> {
  const alias = await loadAlias(ctx, ref);
  const split = splitOf(alias);
  if (!split.canary) {
    // A re-run (a CI job retried) finds its version already promoted: nothing to do.
    if (ref.expectedCanary !== undefined && split.primary.version === ref.expectedCanary) {
      throw nothingToDo(`${ref.aliasName} already serves version ${ref.expectedCanary} alone.`);
    }
    if (ref.expectedCanary !== undefined) {
      throw new OperationError(`${ref.aliasName} runs no canary, and serves version ${split.primary.version}, not ${ref.expectedCanary}: someone else changed it.`, {
        state: `${ref.aliasName} is unchanged.`,
        kind: 'conflict',
      });
    }
    throw invalid(`${ref.aliasName} runs no canary to promote.`);
  }
  checkExpectedCanary(ref, split.canary.version, 'promote');
  await assertRoutable(ctx, ref, split.primary.version, split.canary.version, `${ref.aliasName} is unchanged.`, 'validation', false);
  const out = await writeAlias(ctx, ref, alias, { FunctionVersion: split.canary.version, weights: {} }, `${ref.aliasName} is unchanged.`);
  ctx.log.info(`Promoted: ${ref.aliasName} → ${split.canary.version} (100%); version ${split.primary.version} kept for switching back.`);
  return { alias: out, previousVersion: split.primary.version };
}

/** The routing is cleared: the primary version keeps 100% of the alias. */
export async function rollbackCanary(ctx: OperationContext, ref: AliasRef): Promise<AliasConfiguration> {
  const alias = await loadAlias(ctx, ref);
  const split = splitOf(alias);
  if (!split.canary) {
    // Already rolled back (a retried job): the version gets no traffic, as asked.
    if (ref.expectedCanary !== undefined && split.primary.version !== ref.expectedCanary) {
      throw nothingToDo(`${ref.aliasName} runs no canary: version ${ref.expectedCanary} gets none of its traffic.`);
    }
    if (ref.expectedCanary !== undefined) {
      throw new OperationError(`${ref.aliasName} serves version ${ref.expectedCanary} alone (promoted meanwhile?): rolling back cannot undo that; use Switch Back.`, {
        state: `${ref.aliasName} is unchanged.`,
        kind: 'conflict',
      });
    }
    throw invalid(`${ref.aliasName} runs no canary to roll back.`);
  }
  checkExpectedCanary(ref, split.canary.version, 'roll back');
  const out = await writeAlias(ctx, ref, alias, { weights: {} }, `${ref.aliasName} is unchanged.`);
  ctx.log.info(`Rolled back: ${ref.aliasName} → ${split.primary.version} (100%); version ${split.canary.version} gets no traffic.`);
  return out;
}

/**
 * Blue/green: points the alias at another published version in one write. `expectedCurrent`
 * guards "Switch Back": it refuses when the alias has moved on since it was switched.
 */
export async function switchAlias(ctx: OperationContext, ref: AliasRef, version: string, expectedCurrent?: string): Promise<SwitchResult> {
  if (version === '$LATEST') {
    throw invalid('An alias switched from the editor must point to a published version, not $LATEST: publish a version first.');
  }
  if (!/^[0-9]+$/.test(version)) throw invalid(`'${version}' is not a version number.`);
  const alias = await loadAlias(ctx, ref);
  const split = splitOf(alias);
  if (expectedCurrent !== undefined && split.primary.version !== expectedCurrent) {
    throw new OperationError(
      `${ref.aliasName} now points to version ${split.primary.version}, not ${expectedCurrent} as when it was last switched — refresh and switch explicitly.`, { state: `${ref.aliasName} is unchanged.`, kind: 'conflict' },
    );
  }
  if (split.canary) {
    throw invalid(`${ref.aliasName} runs a canary (version ${split.canary.version}). Promote or roll it back before switching.`);
  }
  if (split.primary.version === version) throw nothingToDo(`${ref.aliasName} already points to version ${version}.`);
  await assertRoutable(ctx, ref, split.primary.version, version, `${ref.aliasName} is unchanged.`, 'validation', false);
  const out = await writeAlias(ctx, ref, alias, { FunctionVersion: version, weights: {} }, `${ref.aliasName} is unchanged.`);
  ctx.log.info(`Switched ${ref.aliasName}: ${split.primary.version} → ${version}.`);
  return { alias: out, previousVersion: split.primary.version };
}

/** What a blue/green switch (or a promotion) remembers so that it can be undone. */
export interface SwitchRecord {
  /** The version the alias pointed to before. */
  from: string;
  /** The version the switch set. */
  to: string;
}

/**
 * Switch Back: returns the alias to `record.from` — refused, with nothing written, when the alias
 * no longer points to `record.to` (someone moved it since).
 */
export function switchBack(ctx: OperationContext, ref: AliasRef, record: SwitchRecord): Promise<SwitchResult> {
  return switchAlias(ctx, ref, record.from, record.to);
}
