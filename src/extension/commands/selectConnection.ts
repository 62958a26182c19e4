import * as vscode from 'vscode';
import { listProfiles } from '../../core/connection';
import { readSettings, writeConnectionSettings } from '../config';
import { iconText, plainText } from '../../shared/text';
import type { CommandContext } from '../context';
import type { PickItem } from '../ui';
import { orDismiss } from './common';

const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-east-1',
  'me-south-1', 'me-central-1', 'il-central-1', 'af-south-1',
];

type Choice = { mode: 'sandbox' } | { mode: 'aws'; profile?: string; region?: string } | { mode: 'endpoint' };

/** Select Connection: the local sandbox, an AWS profile (then a region), or a custom endpoint. */
export async function selectConnection(ctx: CommandContext): Promise<void> {
  const current = readSettings();
  const profiles = listProfiles();
  const items: Array<PickItem<Choice> | vscode.QuickPickItem> = [
    { label: `$(beaker) ${vscode.l10n.t('Local sandbox')}`, description: vscode.l10n.t('embedded, no AWS account needed'), value: { mode: 'sandbox' } },
    { label: vscode.l10n.t('AWS profiles'), kind: vscode.QuickPickItemKind.Separator },
    { label: `$(cloud) ${vscode.l10n.t('Default credential chain')}`, description: vscode.l10n.t('environment, default profile, SSO, instance role'), value: { mode: 'aws' } },
    ...profiles.map((p) => ({
      label: `$(account) ${iconText(p.name)}`,
      description: iconText([p.kind !== 'static' ? p.kind : '', p.region ?? ''].filter(Boolean).join(' · ')),
      value: { mode: 'aws' as const, profile: p.name, region: p.region },
    })),
    { label: vscode.l10n.t('Other'), kind: vscode.QuickPickItemKind.Separator },
    { label: `$(link) ${vscode.l10n.t('Custom endpoint…')}`, description: current.endpointUrl ? iconText(current.endpointUrl) : vscode.l10n.t('LocalStack or a standalone sandbox'), value: { mode: 'endpoint' } },
  ];
  const picked = orDismiss(await ctx.ui.pick<Choice>('connection', items, { title: vscode.l10n.t('Lambda Canary: connect to') })).value;
  if (picked.mode === 'sandbox') {
    await writeConnectionSettings({ connection: 'sandbox' });
    return;
  }
  if (picked.mode === 'endpoint') {
    const url = await ctx.ui.input('endpointUrl', {
      title: vscode.l10n.t('Endpoint URL'),
      prompt: vscode.l10n.t('The Lambda/CloudWatch endpoint, e.g. http://127.0.0.1:4566'),
      value: current.endpointUrl ?? 'http://127.0.0.1:4566',
      validateInput: (v) => (/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(v.trim()) ? undefined : vscode.l10n.t('Enter an http(s) URL such as http://127.0.0.1:4566')),
    });
    if (url === undefined) return;
    await writeConnectionSettings({ connection: 'aws', endpointUrl: url.trim(), profile: '' });
    return;
  }
  const region = orDismiss(
    await ctx.ui.pick<string>(
      'region',
      [...new Set([picked.region ?? current.region ?? 'us-east-1', ...REGIONS])].map((r) => ({ label: iconText(r), description: r === (picked.region ?? current.region) ? vscode.l10n.t('current') : undefined, value: r })),
      { title: picked.profile ? vscode.l10n.t('Region for {0}', plainText(picked.profile)) : vscode.l10n.t('Region') },
    ),
  ).value;
  await writeConnectionSettings({ connection: 'aws', profile: picked.profile ?? '', region, endpointUrl: '' });
}
