import assert from 'node:assert/strict';
import { CancelledError, describeAwsError, errorSummary, isCancelled, OperationError, outcomeUnknown, throwIfAborted, unknownOutcome } from '../../src/core/errors';
import { ACCESS_KEY_ID, invalidSignatureMessage, SESSION_TOKEN } from './credentialFixtures';

/** An error shaped like the SDK's service exceptions: a name, a message, metadata. */
function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** A Node network error: message and errno code, as `net`/`dns` raise them. */
function netError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('errors', () => {
  describe('describeAwsError', () => {
    it('turns expired tokens into the SSO login command for the profile in use', () => {
      const d = describeAwsError(awsError('ExpiredTokenException', 'The security token included in the request is expired'), 'dev-sso');
      assert.equal(d.kind, 'credentials');
      assert.match(d.message, /expired/);
      assert.ok(d.message.includes('`aws sso login --profile dev-sso`'), d.message);
    });

    it('recognises expiry by name or by message, and omits --profile without a profile', () => {
      for (const e of [awsError('RequestExpired', 'Request has expired.'), awsError('TokenRefreshRequired', 'x'), new Error('The SSO session token has expired')]) {
        const d = describeAwsError(e);
        assert.equal(d.kind, 'credentials', e.message);
        assert.ok(d.message.includes('`aws sso login`'), d.message);
        assert.doesNotMatch(d.message, /--profile/);
      }
    });

    it('says no credentials were found, naming the profile and the ways out', () => {
      const e = awsError('CredentialsProviderError', 'Could not load credentials from any providers');
      const d = describeAwsError(e, 'work');
      assert.equal(d.kind, 'credentials');
      assert.match(d.message, /No AWS credentials were found for profile 'work'/);
      assert.ok(d.message.includes('`aws configure --profile work`'), d.message);
      assert.ok(d.message.includes('`aws sso login --profile work`'), d.message);
      assert.match(d.message, /local sandbox instead \("Lambda Canary: Select Connection" in the editor, `--sandbox` on the command line\)/);
      const anon = describeAwsError(new Error('Unable to load credentials from the environment'));
      assert.equal(anon.kind, 'credentials');
      assert.match(anon.message, /^No AWS credentials were found\. /);
    });

    it('reports rejected credentials with the exception name', () => {
      for (const name of ['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch']) {
        const d = describeAwsError(awsError(name, 'The security token included in the request is invalid.', 403), 'ci');
        assert.equal(d.kind, 'credentials', name);
        assert.match(d.message, new RegExp(`rejected the credentials of profile 'ci' \\(${name}\\)`));
      }
    });

    it('keeps the denied action from AccessDeniedException and points to the permissions', () => {
      const msg = 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:UpdateAlias on resource: fn.';
      const d = describeAwsError(awsError('AccessDeniedException', msg, 403));
      assert.equal(d.kind, 'aws');
      assert.ok(d.message.startsWith('Access denied: '), d.message);
      assert.ok(d.message.includes('lambda:UpdateAlias'), d.message);
      assert.match(d.message, /IAM permissions/);
    });

    it('explains an unknown host (ENOTFOUND) as a region or endpoint problem', () => {
      const d = describeAwsError(netError('ENOTFOUND', 'getaddrinfo ENOTFOUND lambda.xx-nowhere-1.amazonaws.com'));
      assert.equal(d.kind, 'network');
      assert.match(d.message, /could not be found/);
      assert.match(d.message, /lambda\.xx-nowhere-1\.amazonaws\.com/);
      assert.match(d.message, /region/);
      // A plain object with a code, as some layers rethrow them.
      assert.equal(describeAwsError({ code: 'ENOTFOUND', message: 'x' }).kind, 'network');
    });

    it('explains a refused connection (ECONNREFUSED) as nothing running at the endpoint', () => {
      const d = describeAwsError(netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4566'));
      assert.equal(d.kind, 'network');
      assert.match(d.message, /Nothing answers at the endpoint \(connect ECONNREFUSED 127\.0\.0\.1:4566\)/);
      assert.match(d.message, /lambdaCanary\.endpointUrl/);
      assert.equal(describeAwsError({ code: 'ECONNREFUSED' }).kind, 'network');
    });

    it('reports timeouts and dropped connections as retryable network failures', () => {
      const cases: unknown[] = [
        awsError('TimeoutError', 'Connection timed out after 5000 ms'),
        netError('ECONNRESET', 'read ECONNRESET'),
        netError('ETIMEDOUT', 'connect ETIMEDOUT'),
        new Error('socket hang up'),
        awsError('RequestTimeout', 'timeout'),
      ];
      for (const e of cases) {
        const d = describeAwsError(e);
        assert.equal(d.kind, 'network', String(e));
        assert.match(d.message, /connection to AWS failed.*retry/, d.message);
        // A lost answer says nothing about what the request did: the operation reads that back.
        assert.doesNotMatch(d.message, /nothing was changed|unchanged/i, d.message);
      }
      assert.match(describeAwsError(awsError('TimeoutError', 'Connection timed out after 5000 ms')).message, /\(TimeoutError: Connection timed out after 5000 ms\)/);
    });

    it('reports throttling after retries', () => {
      for (const name of ['TooManyRequestsException', 'ThrottlingException']) {
        const d = describeAwsError(awsError(name, 'Rate exceeded', 429));
        assert.equal(d.kind, 'aws');
        assert.match(d.message, new RegExp(`throttling requests \\(${name}\\)`));
      }
    });

    it('a name that is not there is bad input (nothing changed), said as a sentence with what to check', () => {
      const d = describeAwsError(awsError('ResourceNotFoundException', 'Function not found: arn:aws:lambda:us-east-1:1:function:nope', 404));
      assert.deepEqual(d, { kind: 'validation', message: "Function not found: arn:aws:lambda:us-east-1:1:function:nope. Check the name, and that the region and account are the function's." });
    });

    it('passes anything else through as name: message, ending as a sentence', () => {
      assert.deepEqual(describeAwsError(awsError('ServiceException', 'Internal failure', 500)), { kind: 'aws', message: 'ServiceException: Internal failure.' });
      assert.deepEqual(describeAwsError({ message: 'plain' }), { kind: 'aws', message: 'plain.' });
      assert.deepEqual(describeAwsError('a string'), { kind: 'aws', message: 'a string.' });
      assert.equal(describeAwsError(undefined).kind, 'aws');
      assert.equal(typeof describeAwsError(null).message, 'string');
    });
  });

  describe('outcomeUnknown', () => {
    const retried = (e: Error, attempts: number) => Object.assign(e, { $metadata: { ...(e as { $metadata?: object }).$metadata, attempts } });

    it('is true when no answer arrived or AWS failed: the write may have gone through', () => {
      assert.equal(outcomeUnknown(Object.assign(new Error('a request has exceeded the configured 400 ms requestTimeout'), { name: 'TimeoutError', code: 'ETIMEDOUT' })), true);
      assert.equal(outcomeUnknown(netError('ECONNRESET', 'socket hang up')), true);
      assert.equal(outcomeUnknown(new Error('socket hang up')), true);
      assert.equal(outcomeUnknown(netError('EPIPE', 'write EPIPE')), true);
      assert.equal(outcomeUnknown(awsError('ServiceException', 'An internal error occurred.', 500)), true);
      assert.equal(outcomeUnknown(awsError('ServiceUnavailable', 'x', 503)), true);
    });

    it('is true for a precondition refusal only after the SDK retried (it may answer our own retry)', () => {
      assert.equal(outcomeUnknown(awsError('PreconditionFailedException', 'The Revision Id provided does not match', 412)), false);
      assert.equal(outcomeUnknown(retried(awsError('PreconditionFailedException', 'The Revision Id provided does not match', 412), 2)), true);
      assert.equal(outcomeUnknown(retried(awsError('ResourceConflictException', 'An update is in progress', 409), 3)), true);
      assert.equal(outcomeUnknown(retried(awsError('InvalidParameterValueException', 'CodeSHA256 is different', 400), 2)), true);
    });

    it('is false for definite refusals: nothing was done', () => {
      assert.equal(outcomeUnknown(awsError('TooManyRequestsException', 'Rate exceeded', 429)), false);
      assert.equal(outcomeUnknown(retried(awsError('TooManyRequestsException', 'Rate exceeded', 429), 3)), false);
      assert.equal(outcomeUnknown(awsError('ResourceNotFoundException', 'Function not found', 404)), false);
      assert.equal(outcomeUnknown(awsError('ExpiredTokenException', 'expired', 403)), false);
      assert.equal(outcomeUnknown(netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4566')), false);
      assert.equal(outcomeUnknown(undefined), false);
    });
  });

  describe('credentials in error texts', () => {
    it('describeAwsError never repeats a token or key an AWS message echoes', () => {
      const cases = [
        awsError('InvalidSignatureException', invalidSignatureMessage(), 403),
        awsError('AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/dev/${ACCESS_KEY_ID} is not authorized; X-Amz-Security-Token=${SESSION_TOKEN}`, 403),
        awsError('ServiceException', `upstream said x-amz-security-token:${SESSION_TOKEN}`, 500),
        netError('ECONNRESET', `socket hang up (x-amz-security-token: ${SESSION_TOKEN})`),
      ];
      for (const e of cases) {
        const d = describeAwsError(e);
        assert.ok(!d.message.includes(SESSION_TOKEN.slice(0, 40)), d.message);
        assert.ok(!d.message.includes(ACCESS_KEY_ID), d.message);
        assert.ok(!errorSummary(e).includes(SESSION_TOKEN.slice(0, 40)), errorSummary(e));
      }
    });

    it('an OperationError redacts its message and its state', () => {
      const e = new OperationError(`UpdateAlias prod failed: x-amz-security-token:${SESSION_TOKEN}`, { step: 'UpdateAlias prod', state: `key ${ACCESS_KEY_ID} was used` });
      assert.ok(!e.message.includes(SESSION_TOKEN.slice(0, 40)), e.message);
      assert.ok(!e.state!.includes(ACCESS_KEY_ID), e.state);
      assert.match(e.message, /^UpdateAlias prod failed: x-amz-security-token:\[redacted\]$/);
    });
  });

  describe('unknownOutcome', () => {
    it('says the outcome is unknown, what may have happened and how to tell — and nothing contradicting it', () => {
      const e = unknownOutcome({
        step: 'UpdateAlias prod',
        subject: 'prod',
        cause: netError('ECONNRESET', 'socket hang up'),
        maybe: 'prod may now route as requested (prod → 8), or still as before (prod → 7 (90%) · 8 (10%)).',
        check: 'Refresh and look at prod: if it shows prod → 8, the change went through.',
      });
      assert.equal(e.kind, 'unknown');
      assert.equal(e.step, 'UpdateAlias prod');
      assert.match(e.message, /outcome is unknown/);
      assert.match(e.message, /socket hang up/);
      assert.match(e.state!, /^Unknown: prod may now route as requested/);
      assert.match(e.state!, /Refresh/);
      assert.doesNotMatch(`${e.message} ${e.state}`, /nothing was changed|is unchanged|retry;/i);
    });
  });

  describe('OperationError and cancellation', () => {
    it('carries step, state, cause and kind', () => {
      const cause = new Error('boom');
      const e = new OperationError('Publish failed.', { step: 'PublishVersion', state: 'Nothing changed.', cause: cause, kind: 'conflict' });
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'OperationError');
      assert.equal(e.message, 'Publish failed.');
      assert.equal(e.step, 'PublishVersion');
      assert.equal(e.state, 'Nothing changed.');
      assert.equal(e.cause, cause);
      assert.equal(e.kind, 'conflict');
      assert.equal(new OperationError('x').kind, 'aws');
    });

    it('recognises cancellations, including AbortError', () => {
      const c = new CancelledError('prod is unchanged.');
      assert.ok(c instanceof OperationError);
      assert.equal(c.kind, 'cancelled');
      assert.equal(c.state, 'prod is unchanged.');
      assert.equal(isCancelled(c), true);
      assert.equal(isCancelled(Object.assign(new Error('aborted'), { name: 'AbortError' })), true);
      assert.equal(isCancelled(new Error('nope')), false);
      assert.equal(isCancelled(undefined), false);
    });

    it('throwIfAborted throws only once the signal is aborted', () => {
      const ac = new AbortController();
      throwIfAborted(undefined);
      throwIfAborted(ac.signal);
      ac.abort();
      assert.throws(() => throwIfAborted(ac.signal, 'Version 8 exists.'), (e: unknown) => e instanceof CancelledError && e.state === 'Version 8 exists.');
    });
  });
});
