/**
 * startSandbox({ stateDir }): functions, versions, aliases and code survive a restart exactly,
 * and writes never leave temp files behind.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import { clientsFor, OTHER_ROLE } from './helpers';
import { createFn, publish, rejectsWith, setConfig } from './lambda-testkit';

interface Running {
  sandbox: Sandbox;
  lambda: LambdaClient;
}

/** Sandboxes still open; afterEach closes them, so a failing test never leaves a server behind. */
const open = new Set<Running>();

async function start(stateDir: string): Promise<Running> {
  const sandbox = await startSandbox({ stateDir, updateDelayMs: 10 });
  const r = { sandbox, lambda: clientsFor(sandbox).lambda };
  open.add(r);
  return r;
}

async function stop(r: Running): Promise<void> {
  if (!open.delete(r)) return;
  r.lambda.destroy();
  await r.sandbox.close();
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String);
}

/** Everything the API shows about the account, for before/after comparison. */
async function dump(lambda: LambdaClient): Promise<unknown> {
  const out: Record<string, unknown> = {};
  const fns = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
  for (const f of fns.Functions!) {
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: f.FunctionName, Qualifier: f.Version }));
    const code = Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer());
    const c = got.Configuration!;
    out[`${f.FunctionName}:${f.Version}`] = {
      sha: c.CodeSha256,
      servedSha: createHash('sha256').update(code).digest('base64'),
      size: c.CodeSize,
      rev: c.RevisionId,
      role: c.Role,
      mem: c.MemorySize,
      env: c.Environment?.Variables,
      desc: c.Description,
      modified: c.LastModified,
      handler: c.Handler,
      runtime: c.Runtime,
    };
  }
  for (const f of fns.Functions!.filter((x) => x.Version === '$LATEST')) {
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: f.FunctionName }));
    out[`${f.FunctionName} aliases`] = aliases.Aliases;
    out[`${f.FunctionName} tags`] = (await lambda.send(new GetFunctionCommand({ FunctionName: f.FunctionName }))).Tags;
  }
  return out;
}

describe('sandbox state on disk', function () {
  this.timeout(20_000);
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-state-'));
  });
  afterEach(async () => {
    for (const r of [...open]) await stop(r);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps functions, versions, aliases, routing, tags and code across a restart, byte for byte', async () => {
    let r = await start(dir);
    await createFn(r.lambda, 'st-api', { Environment: { Variables: { STAGE: 'prod' } }, Tags: { team: 'a' }, MemorySize: 256 });
    await publish(r.lambda, 'st-api', 'one', 'first');
    await publish(r.lambda, 'st-api', 'two', 'second');
    await setConfig(r.lambda, 'st-api', { Role: OTHER_ROLE });
    await publish(r.lambda, 'st-api', 'three');
    await r.lambda.send(new CreateAliasCommand({ FunctionName: 'st-api', Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
    await r.lambda.send(new CreateAliasCommand({ FunctionName: 'st-api', Name: 'next', FunctionVersion: '3', Description: 'other role' }));
    await r.lambda.send(new CreateAliasCommand({ FunctionName: 'st-api', Name: '__proto__', FunctionVersion: '2' }));
    await r.lambda.send(new UpdateAliasCommand({ FunctionName: 'st-api', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } } }));
    await createFn(r.lambda, 'st-worker');
    await publish(r.lambda, 'st-worker', 'w1');
    await createFn(r.lambda, 'st-gone');
    await r.lambda.send(new DeleteFunctionCommand({ FunctionName: 'st-gone' }));
    const before = await dump(r.lambda);
    await stop(r);
    assert.deepEqual(filesUnder(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files after writes');

    r = await start(dir);
    try {
      const after = await dump(r.lambda);
      assert.deepEqual(after, before);
      assert.deepEqual(Object.keys(after as object).filter((k) => k.includes(':')).sort(), [
        'st-api:$LATEST', 'st-api:1', 'st-api:2', 'st-api:3', 'st-worker:$LATEST', 'st-worker:1',
      ]);
      const prod = await r.lambda.send(new GetAliasCommand({ FunctionName: 'st-api', Name: 'prod' }));
      assert.deepEqual(prod.RoutingConfig?.AdditionalVersionWeights, { '2': 0.25 });
      assert.equal((await r.lambda.send(new GetAliasCommand({ FunctionName: 'st-api', Name: '__proto__' }))).FunctionVersion, '2');
      await rejectsWith(r.lambda.send(new GetFunctionCommand({ FunctionName: 'st-gone' })), 'ResourceNotFoundException', 404);
      // The rules still hold over the reloaded state: the stored RevisionId is the current one...
      await rejectsWith(
        r.lambda.send(new UpdateAliasCommand({ FunctionName: 'st-api', Name: 'prod', Description: 'late', RevisionId: 'stale' })),
        'PreconditionFailedException',
        412,
      );
      const moved = await r.lambda.send(new UpdateAliasCommand({ FunctionName: 'st-api', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: prod.RevisionId }));
      assert.equal(moved.FunctionVersion, '1');
      // ...roles are still compared, and version numbers carry on.
      await rejectsWith(
        r.lambda.send(new UpdateAliasCommand({ FunctionName: 'st-api', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } })),
        'InvalidParameterValueException',
        400,
        /same execution role/,
      );
      assert.equal(await publish(r.lambda, 'st-api', 'four'), '4');
    } finally {
      await stop(r);
    }
    assert.deepEqual(filesUnder(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  it('remembers deletions: a deleted version stays deleted and its number is never reused', async () => {
    let r = await start(dir);
    await createFn(r.lambda, 'st-del');
    for (const tag of ['a', 'b', 'c']) await publish(r.lambda, 'st-del', tag);
    await r.lambda.send(new CreateAliasCommand({ FunctionName: 'st-del', Name: 'gone', FunctionVersion: '1' }));
    await r.lambda.send(new DeleteAliasCommand({ FunctionName: 'st-del', Name: 'gone' }));
    await r.lambda.send(new DeleteFunctionCommand({ FunctionName: 'st-del', Qualifier: '3' }));
    await stop(r);
    r = await start(dir);
    try {
      const versions = await r.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'st-del' }));
      assert.deepEqual(versions.Versions?.map((v) => v.Version), ['$LATEST', '1', '2']);
      await rejectsWith(r.lambda.send(new GetAliasCommand({ FunctionName: 'st-del', Name: 'gone' })), 'ResourceNotFoundException', 404);
      assert.equal(await publish(r.lambda, 'st-del', 'd'), '4');
    } finally {
      await stop(r);
    }
  });

  it('drops the code of deleted functions from disk, and keeps code still in use', async () => {
    let r = await start(dir);
    await createFn(r.lambda, 'st-keep');
    await createFn(r.lambda, 'st-drop');
    await publish(r.lambda, 'st-drop', 'only-here');
    const blobs = () => fs.readdirSync(path.join(dir, 'blobs')).filter((f) => f.endsWith('.zip'));
    const blobOf = async (name: string) => {
      const sha = (await r.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration!.CodeSha256!;
      return `${Buffer.from(sha, 'base64').toString('hex')}.zip`;
    };
    const dropBlob = await blobOf('st-drop');
    const keepBlob = await blobOf('st-keep');
    assert.ok(blobs().includes(dropBlob));
    await r.lambda.send(new DeleteFunctionCommand({ FunctionName: 'st-drop' }));
    assert.ok(!blobs().includes(dropBlob), "the deleted function's code is gone");
    assert.ok(blobs().includes(keepBlob), 'code still in use is kept');
    await stop(r);
    r = await start(dir);
    try {
      // The survivor's code is still served.
      const got = await r.lambda.send(new GetFunctionCommand({ FunctionName: 'st-keep' }));
      const res = await fetch(got.Code!.Location!);
      assert.equal(res.status, 200);
      assert.equal(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('base64'), got.Configuration?.CodeSha256);
    } finally {
      await stop(r);
    }
  });

  it('ignores the temp file of an interrupted write when loading', async () => {
    let r = await start(dir);
    await createFn(r.lambda, 'st-real');
    await stop(r);
    // What a crash between write and rename would leave: a complete-looking record in a .tmp file.
    const fnDir = path.join(dir, 'functions');
    const real = fs.readFileSync(path.join(fnDir, 'fn.st-real.json'), 'utf8');
    fs.writeFileSync(path.join(fnDir, 'st-ghost.json.123.abcd.tmp'), real.replace(/"st-real"/g, '"st-ghost"'));
    fs.writeFileSync(path.join(fnDir, 'st-half.json.456.ef01.tmp'), '{"name":"st-ha');
    r = await start(dir);
    try {
      const names = (await r.lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName);
      assert.deepEqual(names, ['st-real']);
    } finally {
      await stop(r);
    }
  });

  it('starts with the good records when one is truncated, sets the bad file aside and says so', async () => {
    let r = await start(dir);
    await createFn(r.lambda, 'st-good');
    await createFn(r.lambda, 'st-torn');
    await r.lambda.send(new CreateAliasCommand({ FunctionName: 'st-good', Name: 'live', FunctionVersion: '$LATEST' }));
    const before = await dump(r.lambda);
    await stop(r);
    const fnDir = path.join(dir, 'functions');
    const torn = fs.readdirSync(fnDir).find((f) => f.includes('st-torn'))!;
    const text = fs.readFileSync(path.join(fnDir, torn), 'utf8');
    fs.writeFileSync(path.join(fnDir, torn), text.slice(0, Math.floor(text.length / 2)));
    const logged: string[] = [];
    const sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 10, log: (l) => logged.push(l) });
    r = { sandbox, lambda: clientsFor(sandbox).lambda };
    open.add(r);
    assert.equal(sandbox.warnings.length, 1);
    assert.match(sandbox.warnings[0], new RegExp(`functions/${torn.replace(/[.+]/g, '\\$&')} is damaged .* renamed to functions/${torn.replace(/[.+]/g, '\\$&')}\\.corrupt-`));
    assert.ok(logged.some((l) => l.includes(sandbox.warnings[0])), 'reported through the log too');
    const names = (await r.lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName);
    assert.deepEqual(names, ['st-good']);
    const after = (await dump(r.lambda)) as Record<string, unknown>;
    const expected = before as Record<string, unknown>;
    for (const key of Object.keys(expected).filter((k) => k.startsWith('st-good'))) assert.deepEqual(after[key], expected[key], key);
    const aside = fs.readdirSync(fnDir).filter((f) => f.includes('.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(fs.readFileSync(path.join(fnDir, aside[0]), 'utf8'), text.slice(0, Math.floor(text.length / 2)));
    await stop(r);
  });

  it('loads a state folder of the previous release (functions/<name>.json) and moves it to the new names', async () => {
    let r = await start(dir);
    await createFn(r.lambda, 'st-old', { Tags: { team: 'a' } });
    await publish(r.lambda, 'st-old', 'two');
    await r.lambda.send(new CreateAliasCommand({ FunctionName: 'st-old', Name: 'live', FunctionVersion: '1' }));
    await createFn(r.lambda, 'St-Mixed');
    const before = await dump(r.lambda);
    await stop(r);
    // The previous release named each record after its function.
    const fnDir = path.join(dir, 'functions');
    for (const f of fs.readdirSync(fnDir)) {
      const name = (JSON.parse(fs.readFileSync(path.join(fnDir, f), 'utf8')) as { name: string }).name;
      fs.renameSync(path.join(fnDir, f), path.join(fnDir, `${name}.json`));
    }
    r = await start(dir);
    assert.deepEqual(r.sandbox.warnings, []);
    assert.deepEqual(await dump(r.lambda), before);
    assert.deepEqual(fs.readdirSync(fnDir).sort(), ['fn.+st-+mixed.json', 'fn.st-old.json']);
    await stop(r);
  });

  it('keeps Api and api (and CON) as distinct files, so no case-insensitive disk merges them', async () => {
    let r = await start(dir);
    for (const name of ['Api', 'api', 'CON', 'con']) await createFn(r.lambda, name);
    await stop(r);
    const files = fs.readdirSync(path.join(dir, 'functions'));
    assert.equal(new Set(files.map((f) => f.toLowerCase())).size, 4, files.join(', '));
    for (const f of files) assert.doesNotMatch(f.split('.')[0], /^(con|prn|aux|nul|com\d|lpt\d)$/i, f);
    r = await start(dir);
    await r.lambda.send(new DeleteFunctionCommand({ FunctionName: 'Api' }));
    await stop(r);
    r = await start(dir);
    const names = (await r.lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName).sort();
    assert.deepEqual(names, ['CON', 'api', 'con']);
    await stop(r);
  });

  it('keeps state in memory only when no stateDir is given', async () => {
    const a = await startSandbox({ updateDelayMs: 10 });
    const ra = { sandbox: a, lambda: clientsFor(a).lambda };
    open.add(ra);
    await createFn(ra.lambda, 'st-mem');
    assert.equal((await ra.lambda.send(new ListFunctionsCommand({}))).Functions?.length, 1);
    await stop(ra);
    const b = await startSandbox({ updateDelayMs: 10 });
    const rb = { sandbox: b, lambda: clientsFor(b).lambda };
    open.add(rb);
    assert.deepEqual((await rb.lambda.send(new ListFunctionsCommand({}))).Functions, []);
    await stop(rb);
  });
});
