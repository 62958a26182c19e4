import * as l10n from '@vscode/l10n';
import type { ConnectionSpec } from '../core/connection';
import { connectionLabel } from '../core/connection';
import { iconText, plainText } from '../shared/text';

/**
 * What the connection shows: the profile, region and endpoint may come from a workspace's
 * settings, so each surface gets its escape (the status bar renders `$(…)` as an icon; a dialog
 * is plain text, where a line break or a bidirectional override could make it say something else).
 */

/** The status bar item's text and tooltip. */
export function connectionStatus(spec: ConnectionSpec): { text: string; tooltip: string } {
  const label = connectionLabel(spec);
  return {
    text: `$(${spec.kind === 'sandbox' ? 'beaker' : 'cloud'}) ${iconText(label, 80)}`,
    tooltip: l10n.t('Lambda Canary is connected to {0}. Click to change.', plainText(label)),
  };
}

/** Whose credentials would sign the requests, in the user's words. */
export function credentialsText(profile: string | undefined): string {
  return profile ? l10n.t('your AWS profile "{0}"', plainText(profile, 100)) : l10n.t('your default AWS credentials (the default credential chain)');
}

/** The modal asking whether requests signed with the user's credentials may go to a workspace's endpoint. */
export function endpointConsentQuestion(host: string, endpointUrl: string, profile: string | undefined): { message: string; detail: string } {
  const shownHost = plainText(host, 200);
  const credentials = credentialsText(profile);
  return {
    message: l10n.t("This workspace's settings send Lambda Canary's AWS requests to {0}, signed with {1}. Connect?", shownHost, credentials),
    detail: l10n.t(
      'lambdaCanary.endpointUrl is set to "{0}" in this workspace\'s settings (.vscode/settings.json or the .code-workspace file). {1} is neither AWS\'s Lambda or CloudWatch nor this machine. Every request to it is signed with {2}, and a temporary session token travels with each request. Connect only if you know and trust that host; the answer covers this endpoint with this profile only.',
      plainText(endpointUrl, 200),
      shownHost,
      credentials,
    ),
  };
}
