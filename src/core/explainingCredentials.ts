import { plainText } from '../shared/text';
import type { CredentialsSubject } from './credentials';
import { CredentialsError, errorSummary } from './errors';
import type { Logger } from './log';

/**
 * A credentials provider whose failures say why: the SDK's error is diagnosed and rethrown as a
 * CredentialsError (kept as its cause), and logged, redacted. An error nothing explains is
 * rethrown as it was. The diagnosis (src/core/credentials.ts, which reads the profile files) is
 * loaded on the first failure only: dist/credentials.js.
 */
export function explainingFailures<A extends unknown[], R>(provider: (...args: A) => Promise<R>, subject: CredentialsSubject, log?: Logger): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await provider(...args);
    } catch (err) {
      const who = subject.profile ? `profile '${plainText(subject.profile, 100)}'` : 'the default credential chain';
      log?.warn(`AWS credentials of ${who} could not be resolved: ${plainText(errorSummary(err), 2000)}`);
      const { credentialsText, diagnoseCredentials } = await import(/* webpackChunkName: "credentials" */ './credentials');
      const reason = await diagnoseCredentials(err, subject).catch(() => undefined);
      if (!reason) throw err;
      throw new CredentialsError(credentialsText(reason), { cause: err, reason });
    }
  };
}
