import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectionSpec } from '../../src/core/connection';
import { releaseDefinition } from '../../src/core/releases/definition';
import { membersForStage, membersToResume, stageConnection, stageHasOwnConnection, stageOf, untrustedStagesRefusal } from '../../src/core/releases/stages';
import { OperationError } from '../../src/core/errors';
import { discoverWorkspace } from '../../src/core/workspace';

describe('stages: the stage of a release, its members and its connection', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-stages-'));
    for (const dir of ['orders', 'payments']) fs.mkdirSync(path.join(root, dir));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const definition = (stages?: unknown) => {
    fs.writeFileSync(
      path.join(root, 'lambda-canary.json'),
      JSON.stringify({ alias: 'live', functions: [{ functionName: 'orders', codeFolder: 'orders' }, { functionName: 'payments', codeFolder: 'payments', alias: 'stable' }], ...(stages ? { stages } : {}) }),
    );
    return releaseDefinition(discoverWorkspace(root), { source: 'shop' });
  };

  it('a release goes to the first stage unless one is named; every member on the stage\u2019s alias', () => {
    const def = definition([{ name: 'staging', alias: 'staging' }, { name: 'prod', alias: 'prod', profile: 'p' }]);
    assert.equal(stageOf(def)?.name, 'staging');
    assert.equal(stageOf(def, 'prod')?.name, 'prod');
    assert.deepEqual(membersForStage(def, stageOf(def, 'prod')).map((m) => `${m.functionName}:${m.aliasName}`), ['orders:prod', 'payments:prod']);
    assert.throws(() => stageOf(def, 'qa'), (e: Error) => e instanceof OperationError && /shop has no stage qa: its stages are staging, prod\./.test(e.message));
  });

  it('Resume of a release to a stage builds its unpublished members from the folder, on that stage\u2019s alias (not the functions\u2019 own)', () => {
    const def = definition([{ name: 'staging', alias: 'staging' }, { name: 'prod', alias: 'prod', profile: 'p' }]);
    const members = [
      { functionName: 'orders', aliasName: 'staging' },
      { functionName: 'payments', aliasName: 'staging' },
    ];
    const resumed = membersToResume([def], { stage: 'staging', members: members as never });
    assert.deepEqual(resumed?.map((m) => `${m.functionName}:${m.aliasName}`), ['orders:staging', 'payments:staging']);
    assert.ok(resumed?.every((m) => m.fn), 'each with what to build it from');
    // A stage the folder does not name, or functions it does not list: nothing to resume from.
    assert.equal(membersToResume([def], { stage: 'qa', members: members as never }), undefined);
    assert.equal(membersToResume([def], { stage: 'staging', members: [...members, { functionName: 'refunds', aliasName: 'staging' }] as never }), undefined);
    // A release with no stage: the functions' own aliases.
    const own = membersToResume([definition()], { members: [{ functionName: 'orders', aliasName: 'live' }, { functionName: 'payments', aliasName: 'stable' }] as never });
    assert.deepEqual(own?.map((m) => `${m.functionName}:${m.aliasName}`), ['orders:live', 'payments:stable']);
  });

  it('Restricted Mode: a release or a promotion of a workspace with stages is refused (its file chooses the accounts); without stages, nothing to refuse here', () => {
    const staged = definition([{ name: 'staging', alias: 'staging' }, { name: 'prod', alias: 'prod', profile: 'p' }]);
    const release = untrustedStagesRefusal(staged, 'release');
    assert.ok(release instanceof OperationError);
    assert.match(release.message, /^This workspace is not trusted, so Lambda Canary does not release from it: the "stages" of shop choose the accounts and regions a release writes to\. Trust the workspace/);
    assert.equal(release.kind, 'validation');
    assert.match(untrustedStagesRefusal(staged, 'promote')?.message ?? '', /does not promote from it: .* a promotion writes to/);
    assert.equal(untrustedStagesRefusal(definition(), 'release'), undefined);
  });

  it('without stages: no stage, each function on its own alias; naming one is refused', () => {
    const def = definition();
    assert.equal(stageOf(def), undefined);
    assert.deepEqual(membersForStage(def, undefined).map((m) => `${m.functionName}:${m.aliasName}`), ['orders:live', 'payments:stable']);
    assert.throws(() => stageOf(def, 'prod'), /shop names no stages: add "stages" to lambda-canary\.json/);
  });

  it("a stage's connection: the base one, or the base with the stage's region, profile (and its region) or local endpoint", () => {
    const config = path.join(root, 'aws-config');
    fs.writeFileSync(config, '[profile prod]\nregion = eu-central-1\n[profile bare]\n');
    const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'none') };
    const aws: ConnectionSpec = { kind: 'aws', profile: 'dev', region: 'us-east-1' };
    const local: ConnectionSpec = { kind: 'sandbox', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', embedded: false, accessKeyId: 'AKIALOCALKEY00000000' };
    assert.equal(stageConnection(aws, { name: 's', alias: 'a' }, env), aws);
    assert.equal(stageHasOwnConnection({ name: 's', alias: 'a' }), false);
    assert.deepEqual(stageConnection(aws, { name: 's', alias: 'a', region: 'eu-west-1' }, env), { kind: 'aws', profile: 'dev', region: 'eu-west-1' });
    assert.deepEqual(stageConnection(aws, { name: 's', alias: 'a', profile: 'prod' }, env), { kind: 'aws', profile: 'prod', region: 'eu-central-1' });
    assert.deepEqual(stageConnection(aws, { name: 's', alias: 'a', profile: 'prod', region: 'ap-south-1' }, env), { kind: 'aws', profile: 'prod', region: 'ap-south-1' });
    assert.deepEqual(stageConnection(aws, { name: 's', alias: 'a', profile: 'bare' }, env), { kind: 'aws', profile: 'bare', region: 'us-east-1' }, 'a profile without a region: the base region');
    assert.deepEqual(stageConnection(aws, { name: 's', alias: 'a', endpoint: 'http://127.0.0.1:2' }, env), { kind: 'sandbox', endpoint: 'http://127.0.0.1:2', region: 'us-east-1', embedded: false });
    // The access key of a local sandbox the base signs for goes with it; the embedded sandbox's (one per start) does not.
    assert.deepEqual(stageConnection(local, { name: 's', alias: 'a', endpoint: 'http://127.0.0.1:2' }, env), { kind: 'sandbox', endpoint: 'http://127.0.0.1:2', region: 'us-east-1', embedded: false, accessKeyId: 'AKIALOCALKEY00000000' });
    const fromEmbedded = stageConnection({ ...local, embedded: true }, { name: 's', alias: 'a', endpoint: 'http://127.0.0.1:2' }, env);
    assert.equal((fromEmbedded as { accessKeyId?: string }).accessKeyId, undefined);
  });
});
