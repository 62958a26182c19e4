import assert from 'node:assert/strict';
import { OperationError } from '../../src/core/errors';
import type { PackageOptions } from '../../src/core/packaging';
import { packageFolder } from '../../src/core/packaging';

/** Asserts packaging refuses with a validation OperationError (step Package) whose message matches. */
export async function refuses(root: string, message: RegExp, options?: PackageOptions): Promise<void> {
  await assert.rejects(packageFolder(root, options), (e: unknown) => {
    assert.ok(e instanceof OperationError, `expected an OperationError, got ${String(e)}`);
    assert.equal(e.kind, 'validation');
    assert.equal(e.step, 'Package');
    assert.match(e.message, message);
    return true;
  });
}
