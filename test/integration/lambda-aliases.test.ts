/**
 * Aliases and their routing configuration through the real SDK v3 client: CreateAlias, GetAlias,
 * ListAliases, UpdateAlias, DeleteAlias, and every rule Lambda applies to AdditionalVersionWeights.
 */
import assert from 'node:assert/strict';
import type { AliasConfiguration, GetAliasCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  ListAliasesCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { OTHER_ROLE, sdkFetch, useSandbox } from './helpers';
import { ARN_PREFIX, createFn, fast, publish, rejectsWith, setConfig } from './lambda-testkit';

type Weights = Record<string, number>;

async function getAlias(lambda: LambdaClient, fn: string, name: string): Promise<GetAliasCommandOutput> {
  return lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name }));
}

/** The parts of an alias a refused write must not change. */
function snapshot(a: AliasConfiguration): unknown {
  return { v: a.FunctionVersion, r: a.RoutingConfig?.AdditionalVersionWeights, d: a.Description, rev: a.RevisionId };
}

describe('Lambda API: aliases and routing', function () {
  this.timeout(20_000);
  // No transition delay: these suites are about aliases and HTTP, not State (see lambda-api.test.ts).
  const h = useSandbox({ updateDelayMs: 0 });

  // Every test gets a fresh function with versions 1, 2 and 3 (all with ROLE).
  let fn = '';
  let n = 0;
  beforeEach(async () => {
    fn = `alias-fn-${++n}`;
    const { lambda } = h();
    await createFn(lambda, fn);
    for (const tag of ['one', 'two', 'three']) await publish(lambda, fn, tag);
  });

  describe('CreateAlias, GetAlias, ListAliases, DeleteAlias', () => {
    it('creates an alias (201) and reads it back with the same shape', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', Description: 'production' }));
      assert.equal(made.$metadata.httpStatusCode, 201);
      assert.equal(made.AliasArn, `${ARN_PREFIX}${fn}:prod`);
      assert.equal(made.Name, 'prod');
      assert.equal(made.FunctionVersion, '1');
      assert.equal(made.Description, 'production');
      assert.equal(made.RoutingConfig, undefined);
      assert.match(made.RevisionId ?? '', /^[0-9a-f-]{36}$/);
      const got = await getAlias(lambda, fn, 'prod');
      assert.equal(got.$metadata.httpStatusCode, 200);
      assert.deepEqual(snapshot(got), snapshot(made));
      assert.equal(got.AliasArn, made.AliasArn);
      // The alias resolves to its version for reads.
      const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: 'prod' }));
      assert.equal(cfg.Version, '1');
    });

    it('creates an alias with a canary routing config, and one on $LATEST without routing', async () => {
      const { lambda } = h();
      const canary = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'canary', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '3': 0.05 } } }));
      assert.deepEqual(canary.RoutingConfig?.AdditionalVersionWeights, { '3': 0.05 });
      assert.deepEqual((await getAlias(lambda, fn, 'canary')).RoutingConfig?.AdditionalVersionWeights, { '3': 0.05 });
      const latest = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'dev', FunctionVersion: '$LATEST' }));
      assert.equal(latest.FunctionVersion, '$LATEST');
      // An empty weights map is the same as no routing config.
      const empty = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'plain', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
      assert.equal(empty.RoutingConfig, undefined);
    });

    it('refuses a duplicate alias (409) and keeps the original', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' })), 'ResourceConflictException', 409, /Alias already exists/);
      assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(made));
    });

    it('lists aliases sorted by name, filtered by FunctionVersion (primary or routing), paged', async () => {
      const { lambda } = h();
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'zeta', FunctionVersion: '1' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'alpha', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '3': 0.5 } } }));
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'mid', FunctionVersion: '3' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'beta', FunctionVersion: '$LATEST' }));
      const all = await lambda.send(new ListAliasesCommand({ FunctionName: fn }));
      assert.deepEqual(all.Aliases?.map((a) => a.Name), ['alpha', 'beta', 'mid', 'zeta']);
      assert.equal(all.NextMarker, undefined);
      assert.deepEqual(all.Aliases?.[0].RoutingConfig?.AdditionalVersionWeights, { '3': 0.5 });
      const filters: Array<[string, string[]]> = [
        ['1', ['zeta']],
        ['2', ['alpha']],
        ['3', ['alpha', 'mid']],
        ['$LATEST', ['beta']],
      ];
      for (const [version, names] of filters) {
        const out = await lambda.send(new ListAliasesCommand({ FunctionName: fn, FunctionVersion: version }));
        assert.deepEqual(out.Aliases?.map((a) => a.Name), names, `FunctionVersion ${version}`);
      }
      const pages: string[][] = [];
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListAliasesCommand({ FunctionName: fn, MaxItems: 3, Marker: marker }));
        pages.push(page.Aliases!.map((a) => a.Name!));
        marker = page.NextMarker;
      } while (marker);
      assert.deepEqual(pages, [['alpha', 'beta', 'mid'], ['zeta']]);
      await rejectsWith(lambda.send(new ListAliasesCommand({ FunctionName: fn, Marker: '!!' })), 'InvalidParameterValueException', 400);
      await rejectsWith(lambda.send(new ListAliasesCommand({ FunctionName: fn, FunctionVersion: 'prod' })), 'ValidationException', 400);
      const none = await lambda.send(new ListAliasesCommand({ FunctionName: fn, FunctionVersion: '99' }));
      assert.deepEqual(none.Aliases, []);
    });

    it('keeps ListAliases paging consistent when aliases are deleted or created between pages', async () => {
      const { lambda } = h();
      for (const name of ['a1', 'b1', 'c1', 'd1', 'e1', 'f1']) await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: name, FunctionVersion: '1' }));
      const first = await lambda.send(new ListAliasesCommand({ FunctionName: fn, MaxItems: 2 }));
      assert.deepEqual(first.Aliases?.map((a) => a.Name), ['a1', 'b1']);
      // Gone: one already seen, the very one the marker names, and one not yet seen; plus two new ones.
      await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'a1' }));
      await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'b1' }));
      await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'd1' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'a0', FunctionVersion: '1' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'c2', FunctionVersion: '1' }));
      const rest: string[] = [];
      let marker = first.NextMarker;
      while (marker) {
        const page = await lambda.send(new ListAliasesCommand({ FunctionName: fn, MaxItems: 2, Marker: marker }));
        rest.push(...page.Aliases!.map((a) => a.Name!));
        marker = page.NextMarker;
      }
      assert.deepEqual(rest, ['c1', 'c2', 'e1', 'f1']);
    });

    it('deletes an alias (204); deleting again is a no-op; reading it is 404', async () => {
      const { lambda } = h();
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'gone', FunctionVersion: '1' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'kept', FunctionVersion: '1' }));
      const out = await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'gone' }));
      assert.equal(out.$metadata.httpStatusCode, 204);
      await rejectsWith(getAlias(lambda, fn, 'gone'), 'ResourceNotFoundException', 404, /Alias not found/);
      await rejectsWith(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: 'gone' })), 'ResourceNotFoundException', 404);
      const again = await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'gone' }));
      assert.equal(again.$metadata.httpStatusCode, 204);
      assert.deepEqual((await lambda.send(new ListAliasesCommand({ FunctionName: fn }))).Aliases?.map((a) => a.Name), ['kept']);
      // The name can be used again.
      const reborn = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'gone', FunctionVersion: '2' }));
      assert.equal(reborn.FunctionVersion, '2');
    });

    it('validates alias names: not all digits, at most 128 characters, letters, digits, - and _', async () => {
      const { lambda } = h();
      const bad: Array<[string, string]> = [
        ['123', 'all digits'],
        ['a'.repeat(129), '129 characters'],
        ['bad.name', 'a dot'],
        ['has space', 'a space'],
        ['', 'empty'],
      ];
      for (const [name, why] of bad) {
        await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: name, FunctionVersion: '1' })), 'ValidationException', 400, undefined, why);
      }
      for (const name of ['a'.repeat(128), '1a', 'v1_2-3', 'A']) {
        const ok = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: name, FunctionVersion: '1' }));
        assert.equal(ok.Name, name);
        assert.equal((await getAlias(lambda, fn, name)).Name, name);
      }
      await rejectsWith(getAlias(lambda, fn, '123'), 'ValidationException', 400);
      await rejectsWith(getAlias(lambda, fn, 'a'.repeat(129)), 'ValidationException', 400);
    });

    it('treats names like constructor, toString and __proto__ as ordinary aliases', async () => {
      const { lambda } = h();
      const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];
      for (const name of names) {
        await rejectsWith(getAlias(lambda, fn, name), 'ResourceNotFoundException', 404, undefined, `${name} before it exists`);
        await rejectsWith(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: name })), 'ResourceNotFoundException', 404, undefined, name);
      }
      for (const name of names) {
        const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: name, FunctionVersion: '2' }));
        assert.equal(made.Name, name);
      }
      for (const name of names) {
        assert.equal((await getAlias(lambda, fn, name)).FunctionVersion, '2', name);
        assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: name }))).Version, '2', name);
      }
      const listed = await lambda.send(new ListAliasesCommand({ FunctionName: fn }));
      assert.deepEqual(listed.Aliases?.map((a) => a.Name).sort(), [...names].sort());
      await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: '__proto__', FunctionVersion: '3' }));
      assert.equal((await getAlias(lambda, fn, '__proto__')).FunctionVersion, '3');
      await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: '__proto__' }));
      await rejectsWith(getAlias(lambda, fn, '__proto__'), 'ResourceNotFoundException', 404);
      assert.equal((await lambda.send(new ListAliasesCommand({ FunctionName: fn }))).Aliases?.length, names.length - 1);
    });

    it('refuses aliases on a qualified function name, a malformed version, or a version that does not exist', async () => {
      const { lambda } = h();
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: `${fn}:1`, Name: 'prod', FunctionVersion: '1' })), 'InvalidParameterValueException', 400);
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: 'one' })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '9' })), 'ResourceNotFoundException', 404, /:9/);
      await rejectsWith(getAlias(lambda, fn, 'prod'), 'ResourceNotFoundException', 404);
    });
  });

  describe('UpdateAlias', () => {
    it('changes version, description and routing; RevisionId changes on every write', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', Description: 'first' }));
      const revisions = [made.RevisionId];
      // Start a canary.
      const canary = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } }, RevisionId: made.RevisionId }));
      assert.equal(canary.$metadata.httpStatusCode, 200);
      assert.equal(canary.FunctionVersion, '1');
      assert.equal(canary.Description, 'first');
      assert.deepEqual(canary.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
      revisions.push(canary.RevisionId);
      // Description only: routing and version are kept.
      const described = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'canary at 10%' }));
      assert.deepEqual(described.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
      assert.equal(described.FunctionVersion, '1');
      revisions.push(described.RevisionId);
      // Raise the weight.
      const raised = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } }, RevisionId: described.RevisionId }));
      assert.deepEqual(raised.RoutingConfig?.AdditionalVersionWeights, { '2': 0.5 });
      revisions.push(raised.RevisionId);
      // Promote: version 2 becomes primary, routing cleared.
      const promoted = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } }));
      assert.equal(promoted.FunctionVersion, '2');
      assert.equal(promoted.RoutingConfig, undefined);
      revisions.push(promoted.RevisionId);
      // Even a write that changes nothing gets a new revision.
      const same = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }));
      revisions.push(same.RevisionId);
      assert.equal(new Set(revisions).size, revisions.length, 'every write gives a new RevisionId');
      assert.ok(revisions.every((r) => typeof r === 'string' && r.length > 0));
      const got = await getAlias(lambda, fn, 'prod');
      assert.equal(got.RevisionId, same.RevisionId);
      assert.equal(got.Description, 'canary at 10%');
    });

    it('refuses a stale RevisionId with PreconditionFailedException (412) and leaves the alias unchanged', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
      const moved = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' }));
      await rejectsWith(
        lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '3', RevisionId: made.RevisionId })),
        'PreconditionFailedException',
        412,
        /Revision Id/,
      );
      await rejectsWith(
        lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.2 } }, RevisionId: 'not-a-revision' })),
        'PreconditionFailedException',
        412,
      );
      assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(moved));
      const ok = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '3', RevisionId: moved.RevisionId }));
      assert.equal(ok.FunctionVersion, '3');
    });

    it('will not make the additional version primary while it is still in the routing config', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2' })), 'InvalidParameterValueException', 400);
      assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(made));
      // Swapping primary and canary in one call is fine.
      const swapped = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '1': 0.7 } } }));
      assert.equal(swapped.FunctionVersion, '2');
      assert.deepEqual(swapped.RoutingConfig?.AdditionalVersionWeights, { '1': 0.7 });
    });

    it('will not point a routed alias at $LATEST, even when the routing config is only kept', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }));
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '$LATEST' })), 'InvalidParameterValueException', 400, /\$LATEST/);
      await rejectsWith(
        lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '$LATEST', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } })),
        'InvalidParameterValueException',
        400,
        /\$LATEST/,
      );
      assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(made));
      const plain = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '$LATEST', RoutingConfig: { AdditionalVersionWeights: {} } }));
      assert.equal(plain.FunctionVersion, '$LATEST');
      assert.equal(plain.RoutingConfig, undefined);
      // And an alias on $LATEST cannot gain a routing config.
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } })), 'InvalidParameterValueException', 400);
    });

    it('refuses unknown aliases (404), unknown versions (404) and bad names (400)', async () => {
      const { lambda } = h();
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'nope', FunctionVersion: '2' })), 'ResourceNotFoundException', 404, /Alias not found/);
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '42' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: '42', FunctionVersion: '2' })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: 'two' })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'd'.repeat(257) })), 'ValidationException', 400);
      assert.equal((await getAlias(lambda, fn, 'prod')).FunctionVersion, '1');
    });
  });

  // A rollout keeps its lease in the alias description, written with UpdateAlias { Description,
  // RevisionId } as a compare-and-swap: these are the rules it relies on.
  describe('Description, as a compare-and-swap record', () => {
    const tooLong = (value: string) =>
      `1 validation error detected: Value '${value}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256`;

    it('a Description-only write keeps FunctionVersion and RoutingConfig, gives a new RevisionId, and makes the old one stale', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', Description: 'team text', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } } }));
      const leased = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'team text [lease]', RevisionId: made.RevisionId }));
      assert.equal(leased.FunctionVersion, '1');
      assert.deepEqual(leased.RoutingConfig?.AdditionalVersionWeights, { '2': 0.25 });
      assert.equal(leased.Description, 'team text [lease]');
      assert.match(leased.RevisionId ?? '', /^[0-9a-f-]{36}$/);
      assert.notEqual(leased.RevisionId, made.RevisionId);
      assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(leased));
      // A second writer holding the revision both read: refused, and the first write stands.
      await rejectsWith(
        lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'team text [other lease]', RevisionId: made.RevisionId })),
        'PreconditionFailedException',
        412,
      );
      assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(leased));
      // Clearing the marker: an empty Description is a value (kept empty), not an absent member.
      const cleared = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: '', RevisionId: leased.RevisionId }));
      assert.equal(cleared.Description, '');
      assert.equal(cleared.FunctionVersion, '1');
      assert.deepEqual(cleared.RoutingConfig?.AdditionalVersionWeights, { '2': 0.25 });
      assert.notEqual(cleared.RevisionId, leased.RevisionId);
      assert.equal((await getAlias(lambda, fn, 'prod')).Description, '');
      // A write without Description keeps it; so does a JSON null (an absent member on the wire).
      const moved = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'kept', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } }, RevisionId: cleared.RevisionId }));
      const kept = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RevisionId: moved.RevisionId }));
      assert.equal(kept.Description, 'kept');
      const res = await sdkFetch(h().sandbox, `/2015-03-31/functions/${fn}/aliases/prod`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ Description: null, RevisionId: kept.RevisionId }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(((await res.json()) as { Description?: string }).Description, 'kept');
      assert.equal((await getAlias(lambda, fn, 'prod')).Description, 'kept');
    });

    it('refuses a stale RevisionId on a Description-only write with AWS\'s 412 and message, changing nothing', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', Description: 'before', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } }));
      const moved = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.2 } } }));
      for (const stale of [made.RevisionId!, 'not-a-revision']) {
        await assert.rejects(
          lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: 'after', RevisionId: stale })),
          (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
            assert.equal(e.name, 'PreconditionFailedException');
            assert.equal(e.$metadata?.httpStatusCode, 412);
            assert.equal(e.message, 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
            return true;
          },
        );
        assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(moved), stale);
      }
    });

    it('takes exactly 256 characters, refuses 257 with AWS\'s ValidationException, and counts characters, not UTF-16 units', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', Description: 'd'.repeat(256) }));
      assert.equal(made.Description, 'd'.repeat(256));
      for (const value of ['e'.repeat(257), '\u{1F680}'.repeat(257), `${'x'.repeat(255)}é\u{1F680}`]) {
        await assert.rejects(
          lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: value, RevisionId: made.RevisionId })),
          (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
            assert.equal(e.name, 'ValidationException');
            assert.equal(e.$metadata?.httpStatusCode, 400);
            assert.equal(e.message, tooLong(value));
            return true;
          },
        );
        await rejectsWith(lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'other', FunctionVersion: '1', Description: value })), 'ValidationException', 400);
      }
      assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(made));
      assert.deepEqual((await lambda.send(new ListAliasesCommand({ FunctionName: fn }))).Aliases?.map((a) => a.Name), ['prod']);
      // The limit is 256 Unicode scalar values (Smithy's length of a string): 256 rockets are
      // 512 UTF-16 units and 1,024 UTF-8 bytes, and fit.
      const rockets = '\u{1F680}'.repeat(256);
      const wide = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: rockets, RevisionId: made.RevisionId }));
      assert.equal(wide.Description, rockets);
      const mixed = `${'x'.repeat(254)}é\u{1F680}`;
      const created = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'other', FunctionVersion: '1', Description: mixed }));
      assert.equal(created.Description, mixed);
      assert.equal((await getAlias(lambda, fn, 'prod')).Description, rockets);
    });

    it('keeps any Unicode text byte for byte, in GetAlias and ListAliases', async () => {
      const { lambda } = h();
      const texts = [
        'prod: 日本語のテキスト, ελληνικά, עברית, العربية',
        'e\u0301 (combining), \u{1F469}\u200D\u{1F4BB} (ZWJ), \u{1F1EB}\u{1F1F7} (flag), \uFEFF (BOM), \u00A0(nbsp)',
        'quotes " \' ` backslash \\ slash / <b>not html</b> ${not} %s {{x}}',
        'line\nbreak\r\ntab\tand \u2028 \u2029 separators',
        'control \u0000 \u0001 \u001F \u007F and \uFFFD \uFFFF \u{10FFFF}',
        '   leading and trailing spaces   ',
      ];
      let rev: string | undefined;
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', Description: texts[0] }));
      rev = made.RevisionId;
      for (const [i, text] of texts.entries()) {
        await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: `a${i}`, FunctionVersion: '2', Description: text }));
        const upd = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', Description: text, RevisionId: rev }));
        rev = upd.RevisionId;
        assert.equal(upd.Description, text);
        const got = await getAlias(lambda, fn, 'prod');
        assert.ok(Buffer.from(got.Description ?? '', 'utf8').equals(Buffer.from(text, 'utf8')), `GetAlias ${JSON.stringify(text)}`);
      }
      const listed = new Map((await lambda.send(new ListAliasesCommand({ FunctionName: fn }))).Aliases!.map((a) => [a.Name, a.Description]));
      for (const [i, text] of texts.entries()) {
        assert.ok(Buffer.from(listed.get(`a${i}`) ?? '', 'utf8').equals(Buffer.from(text, 'utf8')), `ListAliases ${JSON.stringify(text)}`);
      }
      assert.equal(listed.get('prod'), texts[texts.length - 1]);
    });

    it('ListAliases returns Description for every alias, "" for one created without, on every page', async () => {
      const { lambda } = h();
      const want: Record<string, string> = {};
      for (let i = 0; i < 7; i++) {
        const name = `al-${i}`;
        const description = i % 3 === 0 ? undefined : `text ${i} \u{1F680}`;
        await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: name, FunctionVersion: String(1 + (i % 3)), Description: description }));
        want[name] = description ?? '';
      }
      const seen: Record<string, string | undefined> = {};
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListAliasesCommand({ FunctionName: fn, MaxItems: 3, Marker: marker }));
        for (const a of page.Aliases ?? []) {
          assert.ok(Object.hasOwn(a, 'Description'), `${a.Name} has a Description`);
          seen[a.Name!] = a.Description;
        }
        marker = page.NextMarker;
      } while (marker);
      assert.deepEqual(seen, want);
      // Filtered by version, too.
      const byVersion = await lambda.send(new ListAliasesCommand({ FunctionName: fn, FunctionVersion: '2' }));
      assert.deepEqual(Object.fromEntries(byVersion.Aliases!.map((a) => [a.Name, a.Description])), { 'al-1': want['al-1'], 'al-4': want['al-4'] });
    });
  });

  describe('routing rules', () => {
    /** Each refused weights map, with the exception and status AWS answers. */
    const refused: Array<[string, Weights, string, number, RegExp?]> = [
      ['two additional versions', { '2': 0.1, '3': 0.1 }, 'InvalidParameterValueException', 400, /cannot be greater than 1/],
      ['$LATEST as the additional version', { $LATEST: 0.1 }, 'InvalidParameterValueException', 400, /\$LATEST/],
      ["the alias's own version", { '1': 0.1 }, 'InvalidParameterValueException', 400],
      ['weight 1.5', { '2': 1.5 }, 'ValidationException', 400, /less than or equal to 1/],
      ['weight -0.1', { '2': -0.1 }, 'ValidationException', 400, /greater than or equal to 0/],
      ['a version key that is not a number', { beta: 0.1 }, 'ValidationException', 400],
      ['a version that does not exist', { '7': 0.1 }, 'ResourceNotFoundException', 404, /:7/],
    ];

    it('CreateAlias refuses each invalid routing config and creates nothing', async () => {
      const { lambda } = h();
      for (const [why, weights, name, status, message] of refused) {
        await rejectsWith(
          lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: weights } })),
          name,
          status,
          message,
          why,
        );
      }
      await rejectsWith(
        lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '$LATEST', RoutingConfig: { AdditionalVersionWeights: { '1': 0.1 } } })),
        'InvalidParameterValueException',
        400,
        /\$LATEST/,
        '$LATEST as the primary of a routed alias',
      );
      assert.deepEqual((await lambda.send(new ListAliasesCommand({ FunctionName: fn }))).Aliases, []);
    });

    it('UpdateAlias refuses each invalid routing config and leaves the alias unchanged', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } } }));
      for (const [why, weights, name, status, message] of refused) {
        await rejectsWith(
          lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: weights }, RevisionId: made.RevisionId })),
          name,
          status,
          message,
          why,
        );
        assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(made), why);
      }
    });

    it('accepts the edge weights 0 and 1, and any weight between', async () => {
      const { lambda } = h();
      for (const [i, w] of [0, 1, 0.000001, 0.5, 0.999999].entries()) {
        const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: `edge-${i}`, FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': w } } }));
        assert.deepEqual(made.RoutingConfig?.AdditionalVersionWeights, { '2': w });
        assert.deepEqual((await getAlias(lambda, fn, `edge-${i}`)).RoutingConfig?.AdditionalVersionWeights, { '2': w });
      }
      const upd = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'edge-0', RoutingConfig: { AdditionalVersionWeights: { '3': 1 } } }));
      assert.deepEqual(upd.RoutingConfig?.AdditionalVersionWeights, { '3': 1 });
    });

    it('refuses to route between versions with different execution roles', async () => {
      const { lambda } = h();
      // Version 4 runs with OTHER_ROLE.
      await setConfig(lambda, fn, { Role: OTHER_ROLE });
      const v4 = await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
      assert.equal(v4.Version, '4');
      assert.equal(v4.Role, OTHER_ROLE);
      await waitUntilPublishedVersionActive({ client: lambda, ...fast }, { FunctionName: fn, Qualifier: '4' });
      await rejectsWith(
        lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.1 } } })),
        'InvalidParameterValueException',
        400,
        /same execution role/,
      );
      await rejectsWith(
        lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '4', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } })),
        'InvalidParameterValueException',
        400,
        /same execution role/,
      );
      const made = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } }));
      await rejectsWith(
        lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '4': 0.1 } } })),
        'InvalidParameterValueException',
        400,
        /same execution role/,
      );
      // Moving the primary to version 4 while version 3 stays in the routing is refused too.
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '4' })), 'InvalidParameterValueException', 400, /same execution role/);
      assert.deepEqual(snapshot(await getAlias(lambda, fn, 'prod')), snapshot(made));
      // Without routing, an alias may point at version 4 alone.
      const alone = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '4', RoutingConfig: { AdditionalVersionWeights: {} } }));
      assert.equal(alone.FunctionVersion, '4');
      // Two versions with the same (other) role can share traffic.
      await setConfig(lambda, fn, { MemorySize: 256 });
      const v5 = (await lambda.send(new PublishVersionCommand({ FunctionName: fn }))).Version!;
      const shared = await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { [v5]: 0.25 } } }));
      assert.deepEqual(shared.RoutingConfig?.AdditionalVersionWeights, { [v5]: 0.25 });
    });
  });
});
