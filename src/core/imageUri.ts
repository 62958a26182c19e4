/**
 * The image URI of an image function's deploy, checked before anything is sent: Lambda runs
 * images from a private Amazon ECR repository of the function's region, named by a tag or by a
 * digest. Pure: the CLI and the extension's input box use the same check and the same words.
 */

export interface ImageUri {
  /** As given, trimmed. */
  uri: string;
  account: string;
  region: string;
  /** e.g. `team/checkout`. */
  repository: string;
  tag?: string;
  /** 64 lowercase hex digits, without `sha256:`: what Lambda reports as the CodeSha256 of this image. */
  digest?: string;
}

export type ImageUriCheck = { ok: true; value: ImageUri } | { ok: false; message: string };

export const IMAGE_URI_EXAMPLE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag';

const REGISTRY = /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(\.cn)?$/;
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

const like = `an ECR URI like ${IMAGE_URI_EXAMPLE}`;

/**
 * The one wording of "this is an image function, give an image URI" (a zip deploy of one, or a
 * workspace image function without --image-uri), for the CLI and the editor alike.
 */
export function imageFunctionNeedsUri(which: string): string {
  return `${which} is an image function (PackageType Image): it runs a container image, not a zip, and Lambda Canary builds none. Build and push the image to ECR, then give its image URI (lambda-canary deploy --image-uri URI, e.g. --image-uri ${IMAGE_URI_EXAMPLE}; Publish Canary asks for it).`;
}

/**
 * `raw` is an image URI Lambda can deploy; `region`, when given, is the function's region (Lambda
 * pulls only from ECR in the function's own region). Each refusal says what to give instead.
 */
export function checkImageUri(raw: string, region?: string): ImageUriCheck {
  const uri = raw.trim();
  const no = (message: string): ImageUriCheck => ({ ok: false, message });
  if (uri === '') return no(`Give the image URI you pushed: ${like}.`);
  if (/\s/.test(uri)) return no(`An image URI has no spaces: give ${like}.`);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri);
  if (scheme) return no(`Drop ${scheme[0]}: an image URI has no scheme, e.g. ${IMAGE_URI_EXAMPLE}.`);
  const slash = uri.indexOf('/');
  const host = slash < 0 ? uri.split(/[:@]/)[0] : uri.slice(0, slash);
  if (host === 'public.ecr.aws') {
    return no(`Lambda does not run images from ECR Public (public.ecr.aws): push the image to a private ECR repository of your account and give ${like}.`);
  }
  const registry = REGISTRY.exec(host);
  if (!registry) {
    return no(`${host} is not an Amazon ECR registry: Lambda runs images from a private ECR repository only. Push the image there and give ${like}.`);
  }
  if (slash < 0 || slash === uri.length - 1) return no(`The URI names no repository: give ${like}.`);
  const rest = uri.slice(slash + 1);
  const at = rest.indexOf('@');
  const namePart = at < 0 ? rest : rest.slice(0, at);
  const digestPart = at < 0 ? undefined : rest.slice(at + 1);
  const colon = namePart.lastIndexOf(':');
  const repository = colon < 0 ? namePart : namePart.slice(0, colon);
  const tag = colon < 0 ? undefined : namePart.slice(colon + 1);
  if (!REPOSITORY.test(repository) || repository.length > 256) {
    return no(`'${repository}' is not an ECR repository name (lowercase letters, digits, and . _ - / between them): give ${like}.`);
  }
  if (tag !== undefined && digestPart !== undefined) {
    return no(`The URI has both a tag and a digest: Lambda takes one of them. Give ${registry[0]}/${repository}@${digestPart} (or the tag alone).`);
  }
  if (tag === undefined && digestPart === undefined) {
    return no(`The URI names no tag or digest: add one, e.g. ${registry[0]}/${repository}:latest or ${registry[0]}/${repository}@sha256:<64 hex digits>.`);
  }
  if (tag !== undefined && !TAG.test(tag)) {
    return no(`'${tag}' is not an image tag (up to 128 letters, digits, _ . -, not starting with . or -): give ${like}.`);
  }
  if (digestPart !== undefined && !DIGEST.test(digestPart)) {
    return no(`'${digestPart}' is not an image digest: give sha256: and 64 lowercase hex digits, e.g. ${registry[0]}/${repository}@sha256:${'0'.repeat(64)}.`);
  }
  const imageRegion = registry[2];
  if (region !== undefined && imageRegion !== region) {
    return no(
      `The image is in ${imageRegion}, but the function is in ${region}: Lambda pulls images from the function's own region only. Push (or replicate) it to ${registry[1]}.dkr.ecr.${region}.amazonaws.com${registry[3] ?? ''}/${repository}.`,
    );
  }
  return {
    ok: true,
    value: { uri, account: registry[1], region: imageRegion, repository, ...(tag !== undefined ? { tag } : {}), ...(digestPart !== undefined ? { digest: digestPart.slice('sha256:'.length) } : {}) },
  };
}
