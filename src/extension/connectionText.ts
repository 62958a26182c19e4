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
    tooltip: `Lambda Canary is connected to ${plainText(label)}. Click to change.`,
  };
}

/** Whose credentials would sign the requests, in the user's words. */
export function credentialsText(profile: string | undefined): string {
  return profile ? `your AWS profile "${plainText(profile, 100)}"` : 'your default AWS credentials (the default credential chain)';
}

/** The modal asking whether requests signed with the user's credentials may go to a workspace's endpoint. */
export function endpointConsentQuestion(host: string, endpointUrl: string, profile: string | undefined): { message: string; detail: string } {
  const shownHost = plainText(host, 200);
  const credentials = credentialsText(profile);
  return {
    message: `This workspace's settings send Lambda Canary's AWS requests to ${shownHost}, signed with ${credentials}. Connect?`,
    detail:
      `lambdaCanary.endpointUrl is set to "${plainText(endpointUrl, 200)}" in this workspace's settings (.vscode/settings.json or the .code-workspace file). ` +
      `${shownHost} is neither AWS's Lambda or CloudWatch nor this machine. Every request to it is signed with ${credentials}, ` +
      'and a temporary session token travels with each request. Connect only if you know and trust that host; the answer covers this endpoint with this profile only.',
  };
}
