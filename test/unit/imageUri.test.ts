import assert from 'node:assert/strict';
import { checkImageUri, IMAGE_URI_EXAMPLE } from '../../src/core/imageUri';

const REG = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const D = 'c'.repeat(64);

function refused(uri: string, message: RegExp, region?: string): void {
  const r = checkImageUri(uri, region);
  assert.equal(r.ok, false, `${uri} should be refused`);
  if (!r.ok) assert.match(r.message, message, uri);
}

describe('checkImageUri (the image URI of an image function deploy)', () => {
  it('takes a tag or a digest, nested repositories, and trims', () => {
    assert.deepEqual(checkImageUri(`  ${REG}/repo:tag `), { ok: true, value: { uri: `${REG}/repo:tag`, account: '123456789012', region: 'eu-west-1', repository: 'repo', tag: 'tag' } });
    assert.deepEqual(checkImageUri(`${REG}/team/check-out_1.x@sha256:${D}`, 'eu-west-1'), {
      ok: true,
      value: { uri: `${REG}/team/check-out_1.x@sha256:${D}`, account: '123456789012', region: 'eu-west-1', repository: 'team/check-out_1.x', digest: D },
    });
    assert.equal(checkImageUri(`${REG}/repo:V1.2_rc-3`).ok, true);
    assert.equal(checkImageUri('123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/repo:1').ok, true);
    assert.equal(checkImageUri('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/repo:1', 'cn-north-1').ok, true);
    assert.equal(checkImageUri(IMAGE_URI_EXAMPLE).ok, true, 'the example the messages give is valid');
  });

  it('says what to give instead of each mistake', () => {
    refused('', /^Give the image URI you pushed: an ECR URI like 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/repo:tag\.$/);
    refused('   ', /^Give the image URI/);
    refused(`${REG}/repo: tag`, /no spaces/);
    refused(`https://${REG}/repo:tag`, /^Drop https:\/\/: an image URI has no scheme/);
    refused('public.ecr.aws/lambda/nodejs:20', /does not run images from ECR Public \(public\.ecr\.aws\): push the image to a private ECR repository/);
    refused('docker.io/library/node:20', /^docker\.io is not an Amazon ECR registry: Lambda runs images from a private ECR repository only\. Push the image there and give an ECR URI like /);
    refused('node:20', /^node is not an Amazon ECR registry/);
    refused('12345678901.dkr.ecr.eu-west-1.amazonaws.com/repo:tag', /is not an Amazon ECR registry/);
    refused(REG, /names no repository/);
    refused(`${REG}/`, /names no repository/);
    refused(`${REG}/Repo:tag`, /'Repo' is not an ECR repository name/);
    refused(`${REG}/repo`, new RegExp(`^The URI names no tag or digest: add one, e\\.g\\. ${REG.replace(/\./g, '\\.')}/repo:latest or `));
    refused(`${REG}/repo:tag@sha256:${D}`, new RegExp(`both a tag and a digest: Lambda takes one of them\\. Give ${REG.replace(/\./g, '\\.')}/repo@sha256:${D}`));
    refused(`${REG}/repo@sha256:abc`, /'sha256:abc' is not an image digest: give sha256: and 64 lowercase hex digits/);
    refused(`${REG}/repo@sha256:${D.toUpperCase()}`, /is not an image digest/);
    refused(`${REG}/repo@md5:${D}`, /is not an image digest/);
    refused(`${REG}/repo:.hidden`, /'\.hidden' is not an image tag/);
    refused(`${REG}/repo:${'t'.repeat(129)}`, /is not an image tag/);
  });

  it("refuses an image of another region than the function's, naming the repository to push to", () => {
    refused(`${REG}/team/repo:tag`, /^The image is in eu-west-1, but the function is in us-east-1: Lambda pulls images from the function's own region only\. Push \(or replicate\) it to 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/team\/repo\.$/, 'us-east-1');
    assert.equal(checkImageUri(`${REG}/repo:tag`, 'eu-west-1').ok, true);
  });
});
