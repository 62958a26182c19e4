/**
 * The sandbox's trigger APIs through the real SDK v3 client over HTTP: event source mappings,
 * function URLs, resource-based policies and asynchronous invocation settings, with AWS's
 * shapes, state transitions, paging and errors; faults by operation name; state kept on disk;
 * and the AWS CLI's view of the same, when it is installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { EventSourceMappingConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import {
  AddPermissionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  UpdateAliasCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetEventSourceMappingCommand,
  GetFunctionEventInvokeConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  ListEventSourceMappingsCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionUrlConfigsCommand,
  paginateListEventSourceMappings,
  paginateListFunctionEventInvokeConfigs,
  paginateListFunctionUrlConfigs,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionEventInvokeConfigCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { startSandbox } from '../../src/sandbox';
import type { Harness } from './helpers';
import { clientsFor, handlerZip, sdkFetch, sleep, useSandbox } from './helpers';
import { ARN_PREFIX, createFn, createInput, publish, rejectsWith } from './lambda-testkit';

const execFileP = promisify(execFile);
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders';
const STREAM = 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** How long a mapping stays in a transition in these suites. */
const DELAY = 400;

/** A function with versions 1 and 2 and the alias prod → 1, its transitions settled at once. */
async function quickFn({ lambda, sandbox }: Harness, name: string): Promise<void> {
  await lambda.send(new CreateFunctionCommand(createInput(name)));
  for (const tag of ['one', 'two']) {
    sandbox.settle();
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: handlerZip({ tag }) }));
    sandbox.settle();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  }
  sandbox.settle();
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '1' }));
}

async function mappingState(lambda: LambdaClient, uuid: string): Promise<string | undefined> {
  return (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
}

/** Polls until the mapping has left its transition; returns the state it settled in. */
async function settled(lambda: LambdaClient, uuid: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const s = await mappingState(lambda, uuid);
    if (s === 'Enabled' || s === 'Disabled') return s;
    await sleep(20);
  }
  throw new Error(`mapping ${uuid} never settled`);
}

async function listAll(lambda: LambdaClient, input: { FunctionName?: string; EventSourceArn?: string }, pageSize?: number): Promise<EventSourceMappingConfiguration[]> {
  const out: EventSourceMappingConfiguration[] = [];
  for await (const page of paginateListEventSourceMappings({ client: lambda, pageSize }, input)) out.push(...(page.EventSourceMappings ?? []));
  return out;
}

describe('sandbox trigger APIs', function () {
  this.timeout(30_000);
  const h = useSandbox({ updateDelayMs: DELAY });

  // Every test gets a fresh function with versions 1 and 2 and the alias prod → 1.
  let fn = '';
  let n = 0;
  // The function's own transitions are settled at once: these suites are about its triggers.
  beforeEach(async () => {
    fn = `trig-fn-${++n}`;
    await quickFn(h(), fn);
  });

  describe('event source mappings', () => {
    it('creates an SQS mapping (202, Creating) that settles Enabled after the update delay, with AWS’s fields', async () => {
      const { lambda } = h();
      const before = Date.now();
      const made = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: QUEUE }));
      assert.equal(made.$metadata.httpStatusCode, 202);
      assert.match(made.UUID ?? '', UUID);
      assert.equal(made.State, 'Creating');
      assert.equal(made.StateTransitionReason, 'USER_INITIATED');
      assert.equal(made.FunctionArn, `${ARN_PREFIX}${fn}`);
      assert.equal(made.EventSourceArn, QUEUE);
      assert.equal(made.EventSourceMappingArn, `arn:aws:lambda:us-east-1:123456789012:event-source-mapping:${made.UUID}`);
      assert.equal(made.BatchSize, 10);
      assert.equal(made.MaximumBatchingWindowInSeconds, 0);
      assert.deepEqual(made.FunctionResponseTypes, []);
      assert.equal(made.StartingPosition, undefined);
      // LastModified is epoch seconds on the wire; the SDK makes it a Date.
      assert.ok(made.LastModified instanceof Date);
      assert.ok(Math.abs(made.LastModified.getTime() - before) < 5_000, String(made.LastModified));
      assert.equal(await mappingState(lambda, made.UUID!), 'Creating');
      assert.equal(await settled(lambda, made.UUID!), 'Enabled');
      const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: made.UUID }));
      assert.equal(got.$metadata.httpStatusCode, 200);
      const { $metadata: _a, State: _s1, ...rest } = got;
      const { $metadata: _b, State: _s2, ...created } = made;
      assert.deepEqual(rest, created);
    });

    it('a Kinesis mapping takes a StartingPosition and has the stream settings; Enabled false settles Disabled', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'LATEST', Enabled: false, BatchSize: 500 }));
      assert.equal(made.StartingPosition, 'LATEST');
      assert.equal(made.BatchSize, 500);
      assert.equal(made.ParallelizationFactor, 1);
      assert.equal(made.MaximumRetryAttempts, -1);
      assert.equal(made.MaximumRecordAgeInSeconds, -1);
      assert.equal(made.BisectBatchOnFunctionError, false);
      assert.equal(made.TumblingWindowInSeconds, 0);
      assert.deepEqual(made.DestinationConfig, { OnFailure: {} });
      assert.equal(made.LastProcessingResult, 'No records processed');
      assert.equal(await settled(lambda, made.UUID!), 'Disabled');
      await rejectsWith(
        lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/other' })),
        'InvalidParameterValueException',
        400,
        /StartingPosition is required/,
      );
      const withDest = await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: `${fn}:prod`,
          EventSourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000',
          StartingPosition: 'TRIM_HORIZON',
          DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:dlq' } },
          MaximumRetryAttempts: 3,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        }),
      );
      assert.deepEqual(withDest.DestinationConfig, { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:dlq' } });
      assert.equal(withDest.MaximumRetryAttempts, 3);
      assert.deepEqual(withDest.FunctionResponseTypes, ['ReportBatchItemFailures']);
    });

    it('FunctionArn is qualified as the FunctionName was: name, name:alias, name:version, partial ARN, full ARN', async () => {
      const { lambda } = h();
      const cases: Array<[string, string]> = [
        [fn, `${ARN_PREFIX}${fn}`],
        [`${fn}:prod`, `${ARN_PREFIX}${fn}:prod`],
        [`${fn}:2`, `${ARN_PREFIX}${fn}:2`],
        [`123456789012:function:${fn}:prod`, `${ARN_PREFIX}${fn}:prod`],
        [`${ARN_PREFIX}${fn}`, `${ARN_PREFIX}${fn}`],
        [`${ARN_PREFIX}${fn}:$LATEST`, `${ARN_PREFIX}${fn}:$LATEST`],
      ];
      for (const [i, [name, arn]] of cases.entries()) {
        const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: `${QUEUE}-${i}` }));
        assert.equal(m.FunctionArn, arn, name);
      }
    });

    it('ListEventSourceMappings by FunctionName lists exactly the qualifier named; by EventSourceArn, that source’s', async () => {
      const { lambda } = h();
      const other = `${fn}-other`;
      await quickFn(h(), other);
      // A queue of this test's own: other tests map QUEUE too.
      const queue = `${QUEUE}-listing`;
      const make = async (name: string, source: string) => (await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: source }))).UUID!;
      const plain = await make(fn, queue);
      const viaArn = await make(`${ARN_PREFIX}${fn}`, `${queue}-2`);
      const onProd = await make(`${fn}:prod`, queue);
      const onV1 = await make(`${fn}:1`, queue);
      const others = await make(other, queue);
      const uuids = async (input: { FunctionName?: string; EventSourceArn?: string }) => (await listAll(lambda, input)).map((m) => m.UUID).sort();
      const sorted = (...xs: string[]) => xs.sort();
      // An unqualified name (or ARN) lists the unqualified function's mappings only.
      assert.deepEqual(await uuids({ FunctionName: fn }), sorted(plain, viaArn));
      assert.deepEqual(await uuids({ FunctionName: `${ARN_PREFIX}${fn}` }), sorted(plain, viaArn));
      assert.deepEqual(await uuids({ FunctionName: `123456789012:function:${fn}` }), sorted(plain, viaArn));
      assert.deepEqual(await uuids({ FunctionName: `${fn}:prod` }), [onProd]);
      assert.deepEqual(await uuids({ FunctionName: `${ARN_PREFIX}${fn}:prod` }), [onProd]);
      assert.deepEqual(await uuids({ FunctionName: `${fn}:1` }), [onV1]);
      assert.deepEqual(await uuids({ FunctionName: `${fn}:2` }), []);
      assert.deepEqual(await uuids({ EventSourceArn: queue }), sorted(plain, onProd, onV1, others));
      assert.deepEqual(await uuids({ EventSourceArn: queue, FunctionName: other }), [others]);
      assert.deepEqual(await uuids({ EventSourceArn: `${queue}-2`, FunctionName: fn }), [viaArn]);
      assert.ok((await uuids({})).length >= 5);
      // Mappings outlive their function: listing by the name of one that does not exist is no error.
      assert.deepEqual(await uuids({ FunctionName: 'no-such-fn' }), []);
      await rejectsWith(lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: 'sqs-orders' })), 'ValidationException', 400);
    });

    it('pages by Marker: MaxItems per page, at most 100, every mapping once; a foreign Marker is refused', async () => {
      const { lambda } = h();
      const made = new Set<string>();
      for (let i = 0; i < 7; i++) made.add((await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: `${QUEUE}-page-${i}` }))).UUID!);
      const first = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn, MaxItems: 3 }));
      assert.equal(first.EventSourceMappings?.length, 3);
      assert.ok(first.NextMarker);
      const pages: number[] = [];
      const seen: string[] = [];
      for await (const page of paginateListEventSourceMappings({ client: lambda, pageSize: 3 }, { FunctionName: fn })) {
        pages.push(page.EventSourceMappings?.length ?? 0);
        seen.push(...(page.EventSourceMappings ?? []).map((m) => m.UUID!));
      }
      assert.deepEqual(pages, [3, 3, 1]);
      assert.deepEqual(new Set(seen), made);
      assert.equal(seen.length, 7);
      // A mapping deleted between pages neither repeats nor skips another.
      const page1 = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn, MaxItems: 3 }));
      await settled(lambda, page1.EventSourceMappings![2].UUID!);
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: page1.EventSourceMappings![2].UUID }));
      const rest = await listAll(lambda, { FunctionName: fn });
      const page2 = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn, MaxItems: 10, Marker: page1.NextMarker }));
      assert.deepEqual(
        page2.EventSourceMappings?.map((m) => m.UUID),
        rest.map((m) => m.UUID).filter((u) => u! > page1.EventSourceMappings![2].UUID!),
      );
      await rejectsWith(lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn, Marker: 'not-a-marker' })), 'InvalidParameterValueException', 400, /Marker/);
      await rejectsWith(lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn, MaxItems: 0 })), 'ValidationException', 400);
    });

    it('UpdateEventSourceMapping moves a mapping onto the alias in one step, keeping its UUID; Enabled flips through Disabling', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: QUEUE }));
      // In a transition, the mapping cannot change.
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: made.UUID, FunctionName: `${fn}:prod` })), 'ResourceInUseException', 400, /Creating/);
      await settled(lambda, made.UUID!);
      const moved = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: made.UUID, FunctionName: `${ARN_PREFIX}${fn}:prod`, BatchSize: 5 }));
      assert.equal(moved.$metadata.httpStatusCode, 202);
      assert.equal(moved.UUID, made.UUID);
      assert.equal(moved.State, 'Updating');
      assert.equal(moved.FunctionArn, `${ARN_PREFIX}${fn}:prod`);
      assert.equal(moved.BatchSize, 5);
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: made.UUID, BatchSize: 6 })), 'ResourceInUseException', 400, /Updating/);
      assert.equal(await settled(lambda, made.UUID!), 'Enabled');
      assert.deepEqual((await listAll(lambda, { FunctionName: fn })).map((m) => m.UUID), []);
      assert.deepEqual((await listAll(lambda, { FunctionName: `${fn}:prod` })).map((m) => m.UUID), [made.UUID]);

      const off = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: made.UUID, Enabled: false }));
      assert.equal(off.State, 'Disabling');
      assert.equal(off.BatchSize, 5);
      assert.equal(await settled(lambda, made.UUID!), 'Disabled');
      const on = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: made.UUID, Enabled: true }));
      assert.equal(on.State, 'Enabling');
      assert.equal(await settled(lambda, made.UUID!), 'Enabled');
      assert.ok(on.LastModified!.getTime() >= made.LastModified!.getTime());

      // Onto another function too.
      const other = `${fn}-other`;
      await quickFn(h(), other);
      const away = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: made.UUID, FunctionName: other }));
      assert.equal(away.FunctionArn, `${ARN_PREFIX}${other}`);
      await settled(lambda, made.UUID!);
      assert.deepEqual((await listAll(lambda, { FunctionName: other })).map((m) => m.UUID), [made.UUID]);
    });

    it('update errors: unknown UUID 404, a target already mapped to the source 409, a missing alias 404, bad values 400; the mapping stays as it was', async () => {
      const { lambda } = h();
      const a = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: QUEUE }));
      const b = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${fn}:prod`, EventSourceArn: QUEUE }));
      await settled(lambda, a.UUID!);
      await settled(lambda, b.UUID!);
      const before = await lambda.send(new GetEventSourceMappingCommand({ UUID: a.UUID }));
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: '00000000-0000-0000-0000-000000000000', BatchSize: 1 })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: a.UUID, FunctionName: `${fn}:prod` })), 'ResourceConflictException', 409, new RegExp(b.UUID!));
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: a.UUID, FunctionName: `${fn}:nope` })), 'ResourceNotFoundException', 404, /not found/);
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: a.UUID, FunctionName: `${fn}:9` })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: a.UUID, BatchSize: 0 })), 'ValidationException', 400, /batchSize/);
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: a.UUID, BatchSize: 50 })), 'InvalidParameterValueException', 400, /batch window/);
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: a.UUID, ParallelizationFactor: 2 })), 'InvalidParameterValueException', 400, /ParallelizationFactor/);
      const after = await lambda.send(new GetEventSourceMappingCommand({ UUID: a.UUID }));
      assert.deepEqual({ ...after, $metadata: undefined }, { ...before, $metadata: undefined });
    });

    it('DeleteEventSourceMapping answers Deleting (202); the mapping is gone after the delay; deleting while Creating is refused', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: QUEUE }));
      await rejectsWith(lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID })), 'ResourceInUseException', 400);
      await settled(lambda, made.UUID!);
      const gone = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
      assert.equal(gone.$metadata.httpStatusCode, 202);
      assert.equal(gone.State, 'Deleting');
      assert.equal(gone.UUID, made.UUID);
      assert.equal(await mappingState(lambda, made.UUID!), 'Deleting');
      await rejectsWith(lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID })), 'ResourceInUseException', 400, /Deleting/);
      // While it is being deleted, the same source cannot be mapped again to the same function.
      await rejectsWith(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: QUEUE })), 'ResourceConflictException', 409);
      await sleep(DELAY + 50);
      await rejectsWith(lambda.send(new GetEventSourceMappingCommand({ UUID: made.UUID })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID })), 'ResourceNotFoundException', 404);
      assert.deepEqual(await listAll(lambda, { FunctionName: fn }), []);
      const again = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: QUEUE }));
      assert.notEqual(again.UUID, made.UUID);
    });

    it('create errors: a duplicate 409 naming the UUID, unknown function or qualifier 404, bad values 400, another account 403; nothing is created', async () => {
      const { lambda } = h();
      const first = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: QUEUE }));
      const refused: Array<[Record<string, unknown>, string, number, RegExp?]> = [
        [{ FunctionName: fn, EventSourceArn: QUEUE }, 'ResourceConflictException', 409, new RegExp(`already exists.*${first.UUID}`)],
        [{ FunctionName: `${ARN_PREFIX}${fn}`, EventSourceArn: QUEUE }, 'ResourceConflictException', 409],
        [{ FunctionName: 'no-such-fn', EventSourceArn: QUEUE }, 'ResourceNotFoundException', 404, /Function not found/],
        [{ FunctionName: `${fn}:staging`, EventSourceArn: QUEUE }, 'ResourceNotFoundException', 404, /staging/],
        [{ FunctionName: `${fn}:7`, EventSourceArn: QUEUE }, 'ResourceNotFoundException', 404],
        [{ FunctionName: `arn:aws:lambda:us-east-1:210987654321:function:${fn}`, EventSourceArn: `${QUEUE}-x` }, 'AccessDeniedException', 403],
        [{ FunctionName: `arn:aws:lambda:eu-west-1:123456789012:function:${fn}`, EventSourceArn: `${QUEUE}-x` }, 'ResourceNotFoundException', 404],
        [{ FunctionName: 'bad name!', EventSourceArn: QUEUE }, 'ValidationException', 400],
        [{ FunctionName: fn, EventSourceArn: 'orders' }, 'ValidationException', 400, /eventSourceArn/],
        [{ FunctionName: fn }, 'InvalidParameterValueException', 400, /EventSourceArn is required/],
        [{ FunctionName: fn, EventSourceArn: 'arn:aws:s3:::bucket' }, 'InvalidParameterValueException', 400, /Unrecognized event source/],
        [{ FunctionName: fn, EventSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:orders' }, 'InvalidParameterValueException', 400, /region/],
        [{ FunctionName: fn, EventSourceArn: `${QUEUE}-x`, BatchSize: 10_001 }, 'ValidationException', 400, /batchSize/],
        [{ FunctionName: fn, EventSourceArn: `${QUEUE}-x`, BatchSize: 100 }, 'InvalidParameterValueException', 400, /batch window/],
        [{ FunctionName: fn, EventSourceArn: `${QUEUE}-x`, StartingPosition: 'LATEST' }, 'InvalidParameterValueException', 400, /StartingPosition/],
        [{ FunctionName: fn, EventSourceArn: `${QUEUE}-x`, MaximumBatchingWindowInSeconds: 301 }, 'ValidationException', 400],
        [{ FunctionName: fn, EventSourceArn: `${QUEUE}-x`, ScalingConfig: { MaximumConcurrency: 1 } }, 'ValidationException', 400],
        [{ FunctionName: fn, EventSourceArn: `${QUEUE}-x`, FilterCriteria: { Filters: [{ Pattern: 'not json' }] } }, 'InvalidParameterValueException', 400, /filter pattern/],
        [{ FunctionName: fn, EventSourceArn: `${QUEUE}-x`, DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:dlq' } } }, 'InvalidParameterValueException', 400],
        [{ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'SOMEWHERE' }, 'ValidationException', 400, /startingPosition/],
        [{ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'LATEST', DestinationConfig: { OnSuccess: { Destination: 'arn:aws:sqs:us-east-1:123456789012:ok' } } }, 'InvalidParameterValueException', 400, /OnSuccess/],
        [{ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'AT_TIMESTAMP' }, 'InvalidParameterValueException', 400, /StartingPositionTimestamp/],
        [{ FunctionName: fn, EventSourceArn: `${QUEUE}-x`, FunctionResponseTypes: ['Everything'] }, 'ValidationException', 400],
      ];
      for (const [input, name, status, message] of refused) {
        await rejectsWith(lambda.send(new CreateEventSourceMappingCommand(input as never)), name, status, message, JSON.stringify(input));
      }
      assert.deepEqual((await listAll(lambda, {})).filter((m) => m.FunctionArn?.startsWith(`${ARN_PREFIX}${fn}`)).map((m) => m.UUID), [first.UUID]);
      // Filters, scaling and an AT_TIMESTAMP start are kept and answered back.
      const kept = await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: fn,
          EventSourceArn: `${QUEUE}-kept`,
          BatchSize: 100,
          MaximumBatchingWindowInSeconds: 5,
          ScalingConfig: { MaximumConcurrency: 5 },
          FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] },
          Tags: { team: 'orders' },
        }),
      );
      assert.deepEqual(kept.ScalingConfig, { MaximumConcurrency: 5 });
      assert.deepEqual(kept.FilterCriteria, { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] });
      const at = new Date('2026-01-02T03:04:05.000Z');
      const atTs = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: at }));
      assert.equal(atTs.StartingPositionTimestamp?.getTime(), at.getTime());
    });

    it('a function deleted leaves its mappings, as AWS does: Get, List by its name and Delete still answer', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${fn}:prod`, EventSourceArn: QUEUE }));
      await settled(lambda, made.UUID!);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
      const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: made.UUID }));
      assert.equal(got.FunctionArn, `${ARN_PREFIX}${fn}:prod`);
      assert.deepEqual((await listAll(lambda, { FunctionName: `${fn}:prod` })).map((m) => m.UUID), [made.UUID]);
      // A function of the same name created again finds the mapping there.
      await quickFn(h(), fn);
      assert.deepEqual((await listAll(lambda, { FunctionName: `${fn}:prod` })).map((m) => m.UUID), [made.UUID]);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
      fn = `${fn}-deleted`;
      await quickFn(h(), fn);
    });

    it('checks each setting against the source kind: Kafka and DocumentDB configs, Topics, Queues, access configurations, filter size', async () => {
      const { lambda } = h();
      const MSK = 'arn:aws:kafka:us-east-1:123456789012:cluster/demo/abcd1234-abcd-cafe-abab-9876543210ab-4';
      const MQ = 'arn:aws:mq:us-east-1:123456789012:broker:demo:b-0b1c2d3e-aaaa-bbbb-cccc-0123456789ab';
      const DOCDB = 'arn:aws:rds:us-east-1:123456789012:cluster:docs';
      const access = (n: number) => Array.from({ length: n }, (_, i) => ({ Type: 'VPC_SUBNET' as const, URI: `subnet:subnet-${i}` }));
      const refused: Array<[Record<string, unknown>, string, RegExp?]> = [
        [{ EventSourceArn: QUEUE, AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g' } }, 'InvalidParameterValueException', /AmazonManagedKafkaEventSourceConfig/],
        [{ EventSourceArn: STREAM, StartingPosition: 'LATEST', DocumentDBEventSourceConfig: { DatabaseName: 'd' } }, 'InvalidParameterValueException', /DocumentDBEventSourceConfig/],
        [{ EventSourceArn: MSK, StartingPosition: 'LATEST', Topics: ['t'], SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g' } }, 'InvalidParameterValueException', /self-managed/],
        [{ EventSourceArn: QUEUE, SourceAccessConfigurations: access(1) }, 'InvalidParameterValueException', /SourceAccessConfigurations/],
        [{ EventSourceArn: MSK, StartingPosition: 'LATEST' }, 'InvalidParameterValueException', /Topics is required/],
        [{ EventSourceArn: MSK, StartingPosition: 'LATEST', Topics: [] }, 'InvalidParameterValueException', /Topics is required/],
        [{ EventSourceArn: MQ }, 'InvalidParameterValueException', /Queues is required/],
        [{ EventSourceArn: QUEUE, Topics: ['t'] }, 'InvalidParameterValueException', /Topics is not supported/],
        [{ EventSourceArn: MSK, StartingPosition: 'LATEST', Topics: ['t'], SourceAccessConfigurations: access(23) }, 'ValidationException', /less than or equal to 22/],
        [{ EventSourceArn: MSK, StartingPosition: 'LATEST', Topics: ['t'], SourceAccessConfigurations: [{ Type: 'PASSWORD', URI: 'x' }] }, 'ValidationException', /enum/],
        [{ EventSourceArn: MSK, StartingPosition: 'LATEST', Topics: ['t'], SourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: 'x'.repeat(201) }] }, 'ValidationException', /between 1 and 200/],
        [{ EventSourceArn: QUEUE, FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: 'x'.repeat(4100) }) }] } }, 'ValidationException', /4096/],
      ];
      for (const [input, name, message] of refused) {
        await rejectsWith(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, ...input } as never)), name, 400, message, JSON.stringify(input).slice(0, 200));
      }
      assert.deepEqual(await listAll(lambda, { FunctionName: fn }), []);
      const msk = await lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: MSK, StartingPosition: 'LATEST', Topics: ['orders'], AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g1' }, SourceAccessConfigurations: access(22) }),
      );
      assert.deepEqual(msk.Topics, ['orders']);
      assert.equal(msk.SourceAccessConfigurations?.length, 22);
      const mq = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: MQ, Queues: ['orders'], SourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mq' }] }));
      assert.deepEqual(mq.Queues, ['orders']);
      const doc = await lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: DOCDB, StartingPosition: 'LATEST', DocumentDBEventSourceConfig: { DatabaseName: 'shop' }, SourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:docdb' }] }),
      );
      assert.equal(doc.DocumentDBEventSourceConfig?.DatabaseName, 'shop');
    });

    it('on-failure destinations: SQS, SNS or S3 for a stream, a kafka:// topic for Kafka only, and "" clears it', async () => {
      const { lambda, sandbox } = h();
      const MSK = 'arn:aws:kafka:us-east-1:123456789012:cluster/demo/abcd1234-abcd-cafe-abab-9876543210ab-4';
      const onFailure = (Destination: string) => ({ OnFailure: { Destination } });
      for (const bad of ['arn:aws:lambda:us-east-1:123456789012:function:other', 'arn:aws:events:us-east-1:123456789012:event-bus/default', 'kafka://failures']) {
        await rejectsWith(
          lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'LATEST', DestinationConfig: onFailure(bad) })),
          'InvalidParameterValueException',
          400,
          undefined,
          bad,
        );
      }
      await rejectsWith(
        lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'LATEST', DestinationConfig: onFailure('sqs-failures') })),
        'ValidationException',
        400,
      );
      const made = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'LATEST', DestinationConfig: onFailure('arn:aws:s3:::failed-batches') }));
      assert.equal(made.DestinationConfig?.OnFailure?.Destination, 'arn:aws:s3:::failed-batches');
      sandbox.settle();
      const cleared = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: made.UUID, DestinationConfig: onFailure('') }));
      assert.equal(cleared.DestinationConfig?.OnFailure?.Destination, undefined);
      const kafka = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: MSK, StartingPosition: 'LATEST', Topics: ['orders'], DestinationConfig: onFailure('kafka://orders-failed') }));
      assert.equal(kafka.DestinationConfig?.OnFailure?.Destination, 'kafka://orders-failed');
    });

    it('at most 100 mappings per function, with a clear error; the 101st is not created', async () => {
      const { lambda } = h();
      for (let i = 0; i < 100; i++) await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: i % 2 ? `${fn}:prod` : fn, EventSourceArn: `${QUEUE}-${i}` }));
      await rejectsWith(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: `${QUEUE}-x` })), 'InvalidParameterValueException', 400, /100 event source mappings/);
      assert.equal((await listAll(lambda, { EventSourceArn: `${QUEUE}-x` })).length, 0);
    });

    it('hostile bodies and paths get AWS’s error shapes, never a 500', async () => {
      const { sandbox } = h();
      const post = (body: string, type = 'application/json') => sdkFetch(sandbox, '/2015-03-31/event-source-mappings', { method: 'POST', body, headers: { 'content-type': type } });
      const cases: Array<[Promise<Response>, number, string]> = [
        [post('{"FunctionName": 7, "EventSourceArn": "x"}'), 400, 'ValidationException'],
        [post(`{"FunctionName": "${fn}", "EventSourceArn": "${QUEUE}", "BatchSize": "ten"}`), 400, 'SerializationException'],
        [post(`{"FunctionName": "${fn}", "EventSourceArn": "${QUEUE}", "BatchSize": 1.5}`), 400, 'SerializationException'],
        [post(`{"FunctionName": "${fn}", "EventSourceArn": "${QUEUE}", "Enabled": "yes"}`), 400, 'SerializationException'],
        [post(`{"FunctionName": "${fn}", "EventSourceArn": "${QUEUE}", "FilterCriteria": []}`), 400, 'SerializationException'],
        [post(`{"FunctionName": "${fn}", "EventSourceArn": "${QUEUE}", "FilterCriteria": {"Filters": {"a": 1}}}`), 400, 'InvalidParameterValueException'],
        [post(`{"FunctionName": "${fn}", "EventSourceArn": "${QUEUE}", "Tags": {"a": 1}}`), 400, 'SerializationException'],
        [post(`{"FunctionName": "${fn}", "EventSourceArn": "${QUEUE}", "SourceAccessConfigurations": {"a": 1}}`), 400, 'InvalidParameterValueException'],
        [post('[1, 2]'), 400, 'SerializationException'],
        [post('{', 'application/json'), 400, 'SerializationException'],
        [post('{}', 'text/plain'), 415, 'UnsupportedMediaTypeException'],
        [sdkFetch(sandbox, '/2015-03-31/event-source-mappings/%E0%A4%A'), 400, 'InvalidParameterValueException'],
        [sdkFetch(sandbox, '/2015-03-31/event-source-mappings/__proto__'), 404, 'ResourceNotFoundException'],
        [sdkFetch(sandbox, '/2015-03-31/event-source-mappings?Marker=%7B%7D'), 400, 'InvalidParameterValueException'],
        [sdkFetch(sandbox, '/2015-03-31/event-source-mappings/x', { method: 'POST' }), 405, 'MethodNotAllowedException'],
      ];
      for (const [i, [reply, status, type]] of cases.entries()) {
        const r = await reply;
        assert.equal(r.status, status, `case ${i}: ${await r.clone().text()}`);
        assert.equal(r.headers.get('x-amzn-errortype'), type, `case ${i}`);
        const body = (await r.json()) as { message?: string };
        assert.equal(typeof body.message, 'string');
      }
    });
  });

  describe('function URLs', () => {
    it('creates a URL on an alias (201) and on the unqualified function; Get and List answer AWS’s fields', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod', AuthType: 'NONE', Cors: { AllowOrigins: ['https://example.com'], MaxAge: 60 } }));
      assert.equal(made.$metadata.httpStatusCode, 201);
      assert.match(made.FunctionUrl ?? '', /^https:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws\/$/);
      assert.equal(made.FunctionArn, `${ARN_PREFIX}${fn}:prod`);
      assert.equal(made.AuthType, 'NONE');
      assert.deepEqual(made.Cors, { AllowOrigins: ['https://example.com'], MaxAge: 60 });
      assert.equal(made.InvokeMode, 'BUFFERED');
      assert.ok(!Number.isNaN(Date.parse(made.CreationTime!)));
      const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod' }));
      assert.equal(got.FunctionUrl, made.FunctionUrl);
      assert.equal(got.LastModifiedTime, made.CreationTime);
      // The alias named in the function name, or as a full ARN, is the same URL.
      assert.equal((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: `${ARN_PREFIX}${fn}:prod` }))).FunctionUrl, made.FunctionUrl);
      await rejectsWith(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404);

      const plain = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' }));
      assert.equal(plain.FunctionArn, `${ARN_PREFIX}${fn}`);
      assert.notEqual(plain.FunctionUrl, made.FunctionUrl);
      const list = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn }));
      assert.deepEqual(list.FunctionUrlConfigs?.map((u) => [u.FunctionArn, u.AuthType, u.InvokeMode]), [
        [`${ARN_PREFIX}${fn}`, 'AWS_IAM', 'RESPONSE_STREAM'],
        [`${ARN_PREFIX}${fn}:prod`, 'NONE', 'BUFFERED'],
      ]);
    });

    it('a second URL on the same qualifier is a conflict (409); qualifiers are alias names only', async () => {
      const { lambda } = h();
      await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod', AuthType: 'NONE' }));
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod', AuthType: 'AWS_IAM' })), 'ResourceConflictException', 409, /exists/);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: `${fn}:prod`, AuthType: 'AWS_IAM' })), 'ResourceConflictException', 409);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: '1', AuthType: 'NONE' })), 'ValidationException', 400, /qualifier/);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: '$LATEST', AuthType: 'NONE' })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: `${fn}:1`, AuthType: 'NONE' })), 'InvalidParameterValueException', 400, /version 1/);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'staging', AuthType: 'NONE' })), 'ResourceNotFoundException', 404, /staging/);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'no-such-fn', AuthType: 'NONE' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'OPEN' as never })), 'ValidationException', 400, /authType/);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn } as never)), 'ValidationException', 400, /authType/);
      await rejectsWith(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'NONE', Cors: { MaxAge: 86_401 } })), 'ValidationException', 400, /maxAge/);
      await rejectsWith(
        lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'NONE', Cors: { AllowMethods: ['GET', 'PUT', 'POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'] } })),
        'ValidationException',
        400,
      );
      // None of these created a URL.
      assert.deepEqual((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn }))).FunctionUrlConfigs?.map((u) => u.FunctionArn), [`${ARN_PREFIX}${fn}:prod`]);
    });

    it('UpdateFunctionUrlConfig changes what it is given and the modification time; Delete removes it (204, then 404)', async () => {
      const { lambda } = h();
      const made = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod', AuthType: 'NONE', Cors: { AllowOrigins: ['*'] } }));
      await sleep(5);
      const up = await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod', AuthType: 'AWS_IAM' }));
      assert.equal(up.AuthType, 'AWS_IAM');
      assert.deepEqual(up.Cors, { AllowOrigins: ['*'] });
      assert.equal(up.FunctionUrl, made.FunctionUrl);
      assert.equal(up.CreationTime, made.CreationTime);
      assert.ok(up.LastModifiedTime! > made.CreationTime!, `${up.LastModifiedTime} after ${made.CreationTime}`);
      const cors = await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod', Cors: { AllowMethods: ['GET'] } }));
      assert.deepEqual(cors.Cors, { AllowMethods: ['GET'] });
      assert.equal(cors.AuthType, 'AWS_IAM');
      await rejectsWith(lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'NONE' })), 'ResourceNotFoundException', 404);
      const del = await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod' }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      await rejectsWith(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod' })), 'ResourceNotFoundException', 404);
    });

    it('pages ListFunctionUrlConfigs (at most 50 a page); deleting an alias deletes its URL, its policy and its async settings', async () => {
      const { lambda } = h();
      const names = ['a', 'b', 'c', 'd'];
      for (const a of names) {
        await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: a, FunctionVersion: '2' }));
        await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: a, AuthType: 'AWS_IAM' }));
      }
      const pages: string[][] = [];
      for await (const page of paginateListFunctionUrlConfigs({ client: lambda, pageSize: 3 }, { FunctionName: fn })) pages.push((page.FunctionUrlConfigs ?? []).map((u) => u.FunctionArn!.split(':').pop()!));
      assert.deepEqual(pages, [['a', 'b', 'c'], ['d']]);
      await rejectsWith(lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn, MaxItems: 51 })), 'ValidationException', 400);
      await rejectsWith(lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: `${fn}:a` })), 'InvalidParameterValueException', 400);

      await lambda.send(new AddPermissionCommand({ FunctionName: fn, Qualifier: 'b', StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' }));
      await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: 'b', MaximumRetryAttempts: 0 }));
      await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'b' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'b', FunctionVersion: '2' }));
      await rejectsWith(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'b' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: 'b' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: 'b' })), 'ResourceNotFoundException', 404);
      assert.equal((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn }))).FunctionUrlConfigs?.length, 3);
    });
  });

  describe('resource-based policies', () => {
    type Doc = { Version: string; Id: string; Statement: Array<Record<string, unknown>> };
    const policy = async (lambda: LambdaClient, name: string, qualifier?: string) => {
      const p = await lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: qualifier }));
      return { doc: JSON.parse(p.Policy!) as Doc, revision: p.RevisionId! };
    };

    it('AddPermission (201) answers the statement; GetPolicy the document, per qualifier, with its RevisionId', async () => {
      const { lambda } = h();
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404);
      const added = await lambda.send(
        new AddPermissionCommand({
          FunctionName: fn,
          StatementId: 'apigw',
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/checkout',
        }),
      );
      assert.equal(added.$metadata.httpStatusCode, 201);
      const statement = {
        Sid: 'apigw',
        Effect: 'Allow',
        Principal: { Service: 'apigateway.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: `${ARN_PREFIX}${fn}`,
        Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/checkout' } },
      };
      assert.deepEqual(JSON.parse(added.Statement!), statement);
      const plain = await policy(lambda, fn);
      assert.deepEqual(plain.doc, { Version: '2012-10-17', Id: 'default', Statement: [statement] });
      assert.match(plain.revision, UUID);
      // $LATEST is the unqualified function's policy.
      assert.deepEqual((await policy(lambda, fn, '$LATEST')).doc, plain.doc);
      // Another qualifier has its own policy (none yet).
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: 'prod' })), 'ResourceNotFoundException', 404);

      await lambda.send(
        new AddPermissionCommand({ FunctionName: `${fn}:prod`, StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::photos', SourceAccount: '123456789012' }),
      );
      await lambda.send(
        new AddPermissionCommand({ FunctionName: fn, Qualifier: 'prod', StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }),
      );
      await lambda.send(new AddPermissionCommand({ FunctionName: fn, Qualifier: 'prod', StatementId: 'acct', Action: 'lambda:InvokeFunction', Principal: '210987654321' }));
      await lambda.send(new AddPermissionCommand({ FunctionName: fn, Qualifier: '2', StatementId: 'role', Action: 'lambda:GetFunction', Principal: 'arn:aws:iam::123456789012:role/reader' }));
      const prod = await policy(lambda, `${ARN_PREFIX}${fn}:prod`);
      assert.deepEqual(
        prod.doc.Statement.map((s) => [s.Sid, s.Principal, s.Resource, s.Condition]),
        [
          ['s3', { Service: 's3.amazonaws.com' }, `${ARN_PREFIX}${fn}:prod`, { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' } }],
          ['url', '*', `${ARN_PREFIX}${fn}:prod`, { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } }],
          ['acct', { AWS: 'arn:aws:iam::210987654321:root' }, `${ARN_PREFIX}${fn}:prod`, undefined],
        ],
      );
      assert.deepEqual((await policy(lambda, fn, '2')).doc.Statement.map((s) => [s.Sid, s.Principal, s.Resource]), [['role', { AWS: 'arn:aws:iam::123456789012:role/reader' }, `${ARN_PREFIX}${fn}:2`]]);
      assert.equal((await policy(lambda, fn)).doc.Statement.length, 1);
    });

    it('a duplicate StatementId is a conflict (409); a stale RevisionId fails its precondition (412); the policy stays', async () => {
      const { lambda } = h();
      const add = (sid: string, revision?: string) =>
        lambda.send(new AddPermissionCommand({ FunctionName: fn, Qualifier: 'prod', StatementId: sid, Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', RevisionId: revision }));
      await rejectsWith(add('a', 'e0c9ea4b-0000-0000-0000-000000000000'), 'PreconditionFailedException', 412, /does not match the latest RevisionId for the Lambda function or alias/);
      await add('a');
      const r1 = (await policy(lambda, fn, 'prod')).revision;
      await rejectsWith(add('a'), 'ResourceConflictException', 409, /statement id \(a\)/);
      await add('b', r1);
      const r2 = (await policy(lambda, fn, 'prod')).revision;
      assert.notEqual(r2, r1);
      await rejectsWith(add('c', r1), 'PreconditionFailedException', 412);
      await rejectsWith(lambda.send(new RemovePermissionCommand({ FunctionName: fn, Qualifier: 'prod', StatementId: 'a', RevisionId: r1 })), 'PreconditionFailedException', 412);
      assert.deepEqual((await policy(lambda, fn, 'prod')).doc.Statement.map((s) => s.Sid), ['a', 'b']);
      assert.equal((await policy(lambda, fn, 'prod')).revision, r2);
    });

    it('RemovePermission (204) drops a statement and changes the revision; the last one removed leaves no policy; unknown ids 404', async () => {
      const { lambda } = h();
      for (const sid of ['one', 'two']) await lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: sid, Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' }));
      const r = (await policy(lambda, fn)).revision;
      const removed = await lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'one', RevisionId: r }));
      assert.equal(removed.$metadata.httpStatusCode, 204);
      const after = await policy(lambda, fn);
      assert.deepEqual(after.doc.Statement.map((s) => s.Sid), ['two']);
      assert.notEqual(after.revision, r);
      await rejectsWith(lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'one' })), 'ResourceNotFoundException', 404, /one/);
      await rejectsWith(lambda.send(new RemovePermissionCommand({ FunctionName: fn, Qualifier: 'prod', StatementId: 'two' })), 'ResourceNotFoundException', 404);
      await lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'two' }));
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404);
    });

    it('a policy’s RevisionId is its alias’s (or version’s, or $LATEST’s): a change to the policy gives the alias a new one', async () => {
      const { lambda } = h();
      const aliasRevision = async () => (await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }))).RevisionId!;
      const before = await aliasRevision();
      await lambda.send(new AddPermissionCommand({ FunctionName: fn, Qualifier: 'prod', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', RevisionId: before }));
      const after = await aliasRevision();
      assert.notEqual(after, before);
      assert.equal((await policy(lambda, fn, 'prod')).revision, after);
      // The alias's old RevisionId is stale now, for UpdateAlias as for the policy.
      await rejectsWith(lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '2', RevisionId: before })), 'PreconditionFailedException', 412);
      await lambda.send(new RemovePermissionCommand({ FunctionName: fn, Qualifier: 'prod', StatementId: 'sns', RevisionId: after }));
      assert.notEqual(await aliasRevision(), after);
      assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }))).FunctionVersion, '1');
      // The unqualified function's policy has $LATEST's RevisionId; a version's, the version's.
      await lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'ev', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' }));
      assert.equal((await policy(lambda, fn)).revision, (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).RevisionId);
      await lambda.send(new AddPermissionCommand({ FunctionName: fn, Qualifier: '2', StatementId: 'ev', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' }));
      assert.equal((await policy(lambda, fn, '2')).revision, (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: '2' }))).RevisionId);
    });

    it('AddPermission refuses $LATEST; RemovePermission answers 404 for no policy and for an unknown statement before comparing the RevisionId', async () => {
      const { lambda } = h();
      const base = { StatementId: 'a', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' };
      await rejectsWith(lambda.send(new AddPermissionCommand({ ...base, FunctionName: fn, Qualifier: '$LATEST' })), 'InvalidParameterValueException', 400, /do not support adding policies for \$LATEST/);
      await rejectsWith(lambda.send(new AddPermissionCommand({ ...base, FunctionName: `${fn}:$LATEST` })), 'InvalidParameterValueException', 400, /\$LATEST/);
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'a' })), 'ResourceNotFoundException', 404, /^No policy is associated with the given resource\.$/);
      await lambda.send(new AddPermissionCommand({ ...base, FunctionName: fn }));
      await rejectsWith(lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'b', RevisionId: 'stale' })), 'ResourceNotFoundException', 404, /Statement b/);
      await rejectsWith(lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'a', RevisionId: 'stale' })), 'PreconditionFailedException', 412);
      // $LATEST still names the unqualified function's policy for GetPolicy and RemovePermission.
      await lambda.send(new RemovePermissionCommand({ FunctionName: fn, Qualifier: '$LATEST', StatementId: 'a' }));
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: '$LATEST' })), 'ResourceNotFoundException', 404);
    });

    it('error bodies carry Message, the member the Lambda model gives its errors, as well as message', async () => {
      const { lambda, sandbox } = h();
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404, /does not exist/);
      const r = await sdkFetch(sandbox, `/2015-03-31/functions/${fn}/policy`);
      assert.equal(r.status, 404);
      const body = (await r.json()) as Record<string, unknown>;
      assert.deepEqual(body, { Type: 'User', message: 'The resource you requested does not exist.', Message: 'The resource you requested does not exist.' });
    });

    it('refuses bad statements with AWS’s errors and adds nothing', async () => {
      const { lambda } = h();
      const base = { FunctionName: fn, StatementId: 'ok', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' };
      const refused: Array<[Record<string, unknown>, string, number, RegExp?]> = [
        [{ ...base, StatementId: 'has space' }, 'ValidationException', 400, /statementId/],
        [{ ...base, StatementId: 'x'.repeat(101) }, 'ValidationException', 400],
        [{ ...base, Action: 's3:GetObject' }, 'ValidationException', 400, /action/],
        [{ ...base, Principal: 'not a principal' }, 'ValidationException', 400, /principal/],
        [{ ...base, Principal: 'somebody' }, 'InvalidParameterValueException', 400, /principal/],
        [{ ...base, SourceArn: 'photos' }, 'ValidationException', 400, /sourceArn/],
        [{ ...base, SourceAccount: '12345' }, 'ValidationException', 400, /sourceAccount/],
        [{ ...base, FunctionUrlAuthType: 'OPEN' }, 'ValidationException', 400],
        [{ ...base, Qualifier: 'staging' }, 'ResourceNotFoundException', 404],
        [{ ...base, Qualifier: '9' }, 'ResourceNotFoundException', 404],
        [{ ...base, FunctionName: `${fn}:prod`, Qualifier: '1' }, 'InvalidParameterValueException', 400, /qualifier/],
        [{ ...base, FunctionName: 'no-such-fn' }, 'ResourceNotFoundException', 404],
        [{ ...base, Action: undefined }, 'ValidationException', 400],
      ];
      for (const [input, name, status, message] of refused) {
        await rejectsWith(lambda.send(new AddPermissionCommand(input as never)), name, status, message, JSON.stringify(input));
      }
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404);
      // A policy over Lambda's 20 KB limit.
      const big = async (i: number) =>
        lambda.send(new AddPermissionCommand({ ...base, StatementId: `s${i}`, SourceArn: `arn:aws:s3:::${'b'.repeat(60)}-${i}`, SourceAccount: '123456789012' }));
      let i = 0;
      await assert.rejects(async () => {
        for (; i < 200; i++) await big(i);
      }, (e: Error) => e.name === 'PolicyLengthExceededException');
      assert.equal((await policy(lambda, fn)).doc.Statement.length, i);
    });
  });

  describe('asynchronous invocation settings', () => {
    it('Put, Get, Update, List and Delete per qualifier, with AWS’s FunctionArn ($LATEST for the unqualified function)', async () => {
      const { lambda } = h();
      const dlq = 'arn:aws:sqs:us-east-1:123456789012:failures';
      const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: 'prod', MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: dlq } } }));
      assert.equal(put.$metadata.httpStatusCode, 200);
      assert.equal(put.FunctionArn, `${ARN_PREFIX}${fn}:prod`);
      assert.equal(put.MaximumRetryAttempts, 1);
      assert.equal(put.MaximumEventAgeInSeconds, undefined);
      assert.deepEqual(put.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: dlq } });
      assert.ok(put.LastModified instanceof Date && Math.abs(put.LastModified.getTime() - Date.now()) < 5_000);
      const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: `${fn}:prod` }));
      assert.deepEqual({ ...got, $metadata: undefined }, { ...put, $metadata: undefined });
      await rejectsWith(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404, /\$LATEST/);

      // Update changes only what it is given; Put replaces the whole configuration.
      const up = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: 'prod', MaximumEventAgeInSeconds: 600, DestinationConfig: { OnSuccess: { Destination: 'arn:aws:sns:us-east-1:123456789012:done' } } }));
      assert.equal(up.MaximumRetryAttempts, 1);
      assert.equal(up.MaximumEventAgeInSeconds, 600);
      assert.deepEqual(up.DestinationConfig, { OnSuccess: { Destination: 'arn:aws:sns:us-east-1:123456789012:done' }, OnFailure: { Destination: dlq } });
      const replaced = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: 'prod', MaximumEventAgeInSeconds: 120 }));
      assert.equal(replaced.MaximumRetryAttempts, undefined);
      assert.deepEqual(replaced.DestinationConfig, { OnSuccess: {}, OnFailure: {} });
      await rejectsWith(lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 0 })), 'ResourceNotFoundException', 404);

      const latest = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 2 }));
      assert.equal(latest.FunctionArn, `${ARN_PREFIX}${fn}:$LATEST`);
      await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: '2', MaximumRetryAttempts: 0 }));
      await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: '1', MaximumRetryAttempts: 0 }));
      const pages: string[][] = [];
      for await (const page of paginateListFunctionEventInvokeConfigs({ client: lambda, pageSize: 2 }, { FunctionName: fn })) {
        pages.push((page.FunctionEventInvokeConfigs ?? []).map((c) => c.FunctionArn!.split(':').pop()!));
      }
      assert.deepEqual(pages, [['$LATEST', '1'], ['2', 'prod']]);
      await rejectsWith(lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: `${fn}:prod` })), 'InvalidParameterValueException', 400);

      const del = await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: 'prod' }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      await rejectsWith(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: 'prod' })), 'ResourceNotFoundException', 404);
      await rejectsWith(lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: fn, Qualifier: 'prod' })), 'ResourceNotFoundException', 404);
    });

    it('refuses values outside the API’s ranges and destinations that cannot receive events; nothing is stored', async () => {
      const { lambda } = h();
      const refused: Array<[Record<string, unknown>, string, number, RegExp?]> = [
        [{ MaximumRetryAttempts: 3 }, 'ValidationException', 400, /maximumRetryAttempts/],
        [{ MaximumRetryAttempts: -1 }, 'ValidationException', 400],
        [{ MaximumEventAgeInSeconds: 59 }, 'ValidationException', 400, /maximumEventAgeInSeconds/],
        [{ MaximumEventAgeInSeconds: 21_601 }, 'ValidationException', 400],
        [{ DestinationConfig: { OnFailure: { Destination: 'dlq' } } }, 'ValidationException', 400],
        [{ DestinationConfig: { OnFailure: { Destination: 'arn:aws:dynamodb:us-east-1:123456789012:table/t' } } }, 'InvalidParameterValueException', 400, /destination/],
        [{ DestinationConfig: { OnSuccess: { Destination: 'arn:aws:s3:::done' } } }, 'InvalidParameterValueException', 400, /S3 bucket can only be an on-failure destination/],
        [{ Qualifier: 'staging', MaximumRetryAttempts: 0 }, 'ResourceNotFoundException', 404],
        [{ Qualifier: 'bad qualifier', MaximumRetryAttempts: 0 }, 'ValidationException', 400],
      ];
      for (const [input, name, status, message] of refused) {
        await rejectsWith(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, ...input } as never)), name, status, message, JSON.stringify(input));
      }
      assert.deepEqual((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: fn }))).FunctionEventInvokeConfigs, []);
      const s3 = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, DestinationConfig: { OnFailure: { Destination: 'arn:aws:s3:::failed' } } }));
      assert.equal(s3.DestinationConfig?.OnFailure?.Destination, 'arn:aws:s3:::failed');
    });
  });

  describe('a function that does not exist', () => {
    it('every per-function trigger operation answers ResourceNotFoundException (404) naming the function', async () => {
      const { lambda } = h();
      const F = 'no-such-function';
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['CreateFunctionUrlConfig', () => lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: F, AuthType: 'NONE' }))],
        ['GetFunctionUrlConfig', () => lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: F }))],
        ['UpdateFunctionUrlConfig', () => lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: F, AuthType: 'NONE' }))],
        ['DeleteFunctionUrlConfig', () => lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: F }))],
        ['ListFunctionUrlConfigs', () => lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: F }))],
        ['AddPermission', () => lambda.send(new AddPermissionCommand({ FunctionName: F, StatementId: 'a', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' }))],
        ['RemovePermission', () => lambda.send(new RemovePermissionCommand({ FunctionName: F, StatementId: 'a' }))],
        ['GetPolicy', () => lambda.send(new GetPolicyCommand({ FunctionName: F }))],
        ['PutFunctionEventInvokeConfig', () => lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: F, MaximumRetryAttempts: 0 }))],
        ['UpdateFunctionEventInvokeConfig', () => lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: F, MaximumRetryAttempts: 0 }))],
        ['GetFunctionEventInvokeConfig', () => lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: F }))],
        ['DeleteFunctionEventInvokeConfig', () => lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: F }))],
        ['ListFunctionEventInvokeConfigs', () => lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: F }))],
        ['CreateEventSourceMapping', () => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: F, EventSourceArn: QUEUE }))],
      ];
      for (const [op, call] of calls) await rejectsWith(call(), 'ResourceNotFoundException', 404, new RegExp(`Function not found: ${ARN_PREFIX}${F}`), op);
      // Mappings outlive functions: listing those of a missing function lists none.
      assert.deepEqual((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: F }))).EventSourceMappings, []);
    });

    it('the new routes admit only what an SDK sends: an unsigned request is refused (403) and changes nothing', async () => {
      const { sandbox, lambda } = h();
      const r = await fetch(`${sandbox.endpoint}/2015-03-31/functions/${fn}/policy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: '*' }),
      });
      assert.equal(r.status, 403);
      assert.equal(r.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404);
    });
  });

  describe('faults by operation name', () => {
    it('error, throttle and drop apply to the new operations as to the others, and an injected error changes nothing', async () => {
      const { lambda, sandbox } = h();
      sandbox.faults.add({ operation: 'CreateEventSourceMapping', kind: 'error' });
      await rejectsWith(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: QUEUE })), 'ServiceException', 500);
      assert.deepEqual(await listAll(lambda, { FunctionName: fn }), []);
      sandbox.faults.add({ operation: 'GetPolicy', kind: 'throttle' });
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn })), 'TooManyRequestsException', 429);
      sandbox.faults.add({ operation: 'AddPermission', kind: 'error' });
      await rejectsWith(lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'a', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })), 'ServiceException', 500);
      await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404);
      sandbox.faults.add({ operation: 'CreateFunctionUrlConfig', kind: 'drop' });
      await assert.rejects(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'NONE' })));
      // The connection drops before the request is handled: no URL was made.
      await rejectsWith(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404);
      for (const op of ['ListEventSourceMappings', 'UpdateEventSourceMapping', 'PutFunctionEventInvokeConfig', 'ListFunctionUrlConfigs', 'RemovePermission']) {
        sandbox.faults.add({ operation: op, kind: 'error' });
      }
      await rejectsWith(lambda.send(new ListEventSourceMappingsCommand({})), 'ServiceException', 500);
      await rejectsWith(lambda.send(new UpdateEventSourceMappingCommand({ UUID: 'x' })), 'ServiceException', 500);
      await rejectsWith(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 1 })), 'ServiceException', 500);
      await rejectsWith(lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn })), 'ServiceException', 500);
      await rejectsWith(lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'a' })), 'ServiceException', 500);
      assert.equal(sandbox.faults.pending, 0);
    });
  });
});

describe('sandbox trigger records on disk', function () {
  this.timeout(30_000);

  it('mappings, URLs, policies and async settings survive a restart; a malformed trigger entry is dropped, not its function', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-triggers-state-'));
    try {
      let sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
      let { lambda } = clientsFor(sandbox);
      const fn = 'kept';
      await createFn(lambda, fn);
      await publish(lambda, fn, 'one');
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
      const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${fn}:prod`, EventSourceArn: QUEUE, Enabled: false }));
      const url = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod', AuthType: 'NONE' }));
      await lambda.send(new AddPermissionCommand({ FunctionName: fn, Qualifier: 'prod', StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }));
      const policyBefore = await lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: 'prod' }));
      await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 0 }));
      lambda.destroy();
      await sandbox.close();

      sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
      ({ lambda } = clientsFor(sandbox));
      assert.deepEqual(sandbox.warnings, []);
      const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
      assert.equal(got.FunctionArn, `${ARN_PREFIX}${fn}:prod`);
      assert.equal(got.State, 'Disabled');
      assert.equal((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod' }))).FunctionUrl, url.FunctionUrl);
      const policyAfter = await lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: 'prod' }));
      assert.equal(policyAfter.Policy, policyBefore.Policy);
      assert.equal(policyAfter.RevisionId, policyBefore.RevisionId);
      assert.equal((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn }))).MaximumRetryAttempts, 0);
      lambda.destroy();
      await sandbox.close();

      // The mapping is a record of its own, apart from the function's.
      assert.ok(fs.existsSync(path.join(dir, 'mappings', `esm.${m.UUID}.json`)));

      // One malformed trigger entry is dropped with a warning; the function and its other triggers stay.
      const file = path.join(dir, 'functions', 'fn.kept.json');
      const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as { triggers: { urls: Array<Record<string, unknown>> } };
      rec.triggers.urls.push({ ...rec.triggers.urls[0], qualifier: undefined, authType: 'OPEN' });
      fs.writeFileSync(file, JSON.stringify(rec));
      // A damaged mapping record is set aside; the others load.
      const bad = path.join(dir, 'mappings', 'esm.00000000-0000-0000-0000-000000000000.json');
      const good = JSON.parse(fs.readFileSync(path.join(dir, 'mappings', `esm.${m.UUID}.json`), 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(bad, JSON.stringify({ ...good, uuid: '00000000-0000-0000-0000-000000000000', transition: 'Flying' }));
      sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
      ({ lambda } = clientsFor(sandbox));
      assert.equal(sandbox.warnings.length, 2, sandbox.warnings.join('\n'));
      assert.ok(sandbox.warnings.some((w) => /kept had malformed triggers: function URL 2 \(incomplete\) dropped/.test(w)), sandbox.warnings.join('\n'));
      assert.ok(sandbox.warnings.some((w) => /mappings\/esm\.0{8}-.*damaged \(transition is not/.test(w)), sandbox.warnings.join('\n'));
      assert.equal((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn, Qualifier: 'prod' }))).FunctionUrl, url.FunctionUrl);
      assert.equal((await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn }))).FunctionUrlConfigs?.length, 1);
      assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State, 'Disabled');
      lambda.destroy();
      await sandbox.close();

      // A record of an earlier release with its mappings inside, a policy revision of its own and a
      // trigger list that is not a list: the mappings move to their own records, nothing else is lost.
      const legacy = JSON.parse(fs.readFileSync(file, 'utf8')) as { triggers: Record<string, unknown> };
      const mappingFile = path.join(dir, 'mappings', `esm.${m.UUID}.json`);
      const { functionName: _, ...inside } = JSON.parse(fs.readFileSync(mappingFile, 'utf8')) as Record<string, unknown>;
      fs.rmSync(mappingFile);
      legacy.triggers.mappings = [inside, { uuid: 'broken' }];
      (legacy.triggers.policies as Array<Record<string, unknown>>)[0].revisionId = 'old-own-revision';
      legacy.triggers.invokeConfigs = 'oops';
      fs.writeFileSync(file, JSON.stringify(legacy));
      sandbox = await startSandbox({ stateDir: dir, updateDelayMs: 0 });
      ({ lambda } = clientsFor(sandbox));
      assert.equal(sandbox.warnings.length, 1, sandbox.warnings.join('\n'));
      assert.match(sandbox.warnings[0], /event source mapping 2 \(incomplete\).*asynchronous invocation configurations \(not a list\)/);
      assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).FunctionArn, `${ARN_PREFIX}${fn}:prod`);
      assert.ok(fs.existsSync(mappingFile));
      assert.equal((JSON.parse(fs.readFileSync(file, 'utf8')) as { triggers: Record<string, unknown> }).triggers.mappings, undefined);
      assert.equal((await lambda.send(new GetPolicyCommand({ FunctionName: fn, Qualifier: 'prod' }))).RevisionId, (await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'prod' }))).RevisionId);
      lambda.destroy();
      await sandbox.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the AWS CLI against the sandbox: trigger commands', function () {
  this.timeout(60_000);
  const h = useSandbox({ updateDelayMs: 0 });
  let awsCli: string | undefined;

  before(async function () {
    try {
      awsCli = (await execFileP('which', ['aws'])).stdout.trim() || undefined;
    } catch {
      awsCli = undefined;
    }
    if (!awsCli) this.skip();
  });

  async function aws(...args: string[]): Promise<unknown> {
    const { sandbox } = h();
    const { stdout } = await execFileP(awsCli!, ['lambda', ...args, '--endpoint-url', sandbox.endpoint, '--region', sandbox.region, '--output', 'json'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  }

  it('create, list (paged by the CLI), update, get-policy, function URLs and async settings', async () => {
    const { lambda } = h();
    const fn = 'cli-fn';
    await createFn(lambda, fn);
    await publish(lambda, fn, 'one');
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'prod', FunctionVersion: '1' }));
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = (await aws('create-event-source-mapping', '--function-name', fn, '--event-source-arn', `${QUEUE}-${i}`, '--batch-size', '5')) as { UUID: string; State: string; FunctionArn: string; LastModified: number };
      assert.match(m.UUID, UUID);
      assert.equal(m.FunctionArn, `${ARN_PREFIX}${fn}`);
      assert.equal(typeof m.LastModified, 'number');
      made.push(m.UUID);
    }
    // The CLI pages with --page-size and follows NextMarker itself.
    const listed = (await aws('list-event-source-mappings', '--function-name', fn, '--page-size', '2')) as { EventSourceMappings: Array<{ UUID: string; BatchSize: number }> };
    assert.deepEqual(listed.EventSourceMappings.map((m) => m.UUID).sort(), [...made].sort());
    const moved = (await aws('update-event-source-mapping', '--uuid', made[0], '--function-name', `${fn}:prod`)) as { FunctionArn: string; State: string };
    assert.equal(moved.FunctionArn, `${ARN_PREFIX}${fn}:prod`);
    const onProd = (await aws('list-event-source-mappings', '--function-name', `${ARN_PREFIX}${fn}:prod`)) as { EventSourceMappings: Array<{ UUID: string }> };
    assert.deepEqual(onProd.EventSourceMappings.map((m) => m.UUID), [made[0]]);

    const url = (await aws('create-function-url-config', '--function-name', fn, '--qualifier', 'prod', '--auth-type', 'NONE', '--cors', 'AllowOrigins=https://example.com')) as { FunctionUrl: string };
    assert.match(url.FunctionUrl, /\.lambda-url\.us-east-1\.on\.aws\/$/);
    const urls = (await aws('list-function-url-configs', '--function-name', fn)) as { FunctionUrlConfigs: Array<{ FunctionUrl: string; Cors: unknown }> };
    assert.deepEqual(urls.FunctionUrlConfigs.map((u) => [u.FunctionUrl, u.Cors]), [[url.FunctionUrl, { AllowOrigins: ['https://example.com'] }]]);

    await aws('add-permission', '--function-name', fn, '--qualifier', 'prod', '--statement-id', 'url', '--action', 'lambda:InvokeFunctionUrl', '--principal', '*', '--function-url-auth-type', 'NONE');
    const p = (await aws('get-policy', '--function-name', fn, '--qualifier', 'prod')) as { Policy: string; RevisionId: string };
    assert.deepEqual((JSON.parse(p.Policy) as { Statement: Array<{ Sid: string }> }).Statement.map((s) => s.Sid), ['url']);
    await aws('remove-permission', '--function-name', fn, '--qualifier', 'prod', '--statement-id', 'url', '--revision-id', p.RevisionId);

    const cfg = (await aws('put-function-event-invoke-config', '--function-name', fn, '--maximum-retry-attempts', '1', '--destination-config', 'OnFailure={Destination=arn:aws:sqs:us-east-1:123456789012:dlq}')) as { FunctionArn: string };
    assert.equal(cfg.FunctionArn, `${ARN_PREFIX}${fn}:$LATEST`);
    const cfgs = (await aws('list-function-event-invoke-configs', '--function-name', fn)) as { FunctionEventInvokeConfigs: unknown[] };
    assert.equal(cfgs.FunctionEventInvokeConfigs.length, 1);
    await aws('delete-event-source-mapping', '--uuid', made[1]);
    await assert.rejects(aws('get-event-source-mapping', '--uuid', made[1]), /ResourceNotFoundException/);
  });
});
