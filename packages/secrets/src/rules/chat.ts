import type { SecretRule } from '../types.js';
import { ALNUM, B64URL, HEX, LOWER_NUM, UPPER_NUM, contextRule, inSyntaxes, placeholderNegatives, prefixRule, rule, sample } from './helpers.js';

const digits = (seed: string, n: number) => sample(seed, n, '0123456789');
const slackHook = `https://hooks.slack.com/services/T${sample('sh1', 8, UPPER_NUM)}/B${sample('sh2', 10, UPPER_NUM)}/${sample('sh3', 24, ALNUM)}`;
const discordBot = `MT${sample('db1', 24, ALNUM)}.${sample('db2', 6, B64URL)}.${sample('db3', 38, B64URL)}`;

export const chatRules: SecretRule[] = [
  prefixRule({ id: 'slack-bot-token', description: 'Slack bot token', severity: 'critical', body: 'xoxb-\\d{10,13}-\\d{10,13}-[A-Za-z0-9]{24,34}', keywords: ['xoxb-'], sample: `xoxb-${digits('sb1', 12)}-${digits('sb2', 13)}-${sample('sb3', 24, ALNUM)}`, name: 'SLACK_BOT_TOKEN', gitleaks: 'slack-bot-token', secretlint: '@secretlint/secretlint-rule-slack' }),
  prefixRule({ id: 'slack-user-token', description: 'Slack user token', severity: 'critical', body: 'xox[pe](?:-\\d{10,13}){3}-[A-Za-z0-9-]{28,34}', keywords: ['xoxp-', 'xoxe-'], sample: `xoxp-${digits('su1', 12)}-${digits('su2', 12)}-${digits('su3', 13)}-${sample('su4', 32, HEX)}`, name: 'SLACK_USER_TOKEN', gitleaks: 'slack-user-token', secretlint: '@secretlint/secretlint-rule-slack' }),
  prefixRule({ id: 'slack-app-token', description: 'Slack app-level token', body: 'xapp-\\d-[A-Z0-9]{9,12}-\\d{10,13}-[a-z0-9]{64}', keywords: ['xapp-'], sample: `xapp-1-A${sample('sa1', 10, UPPER_NUM)}-${digits('sa2', 13)}-${sample('sa3', 64, HEX)}`, name: 'SLACK_APP_TOKEN', gitleaks: 'slack-app-token', secretlint: '@secretlint/secretlint-rule-slack' }),
  prefixRule({ id: 'slack-config-access-token', description: 'Slack configuration access token', body: 'xoxe\\.xox[bp]-\\d-[A-Z0-9]{163,166}', keywords: ['xoxe.xox'], sample: `xoxe.xoxp-1-${sample('sc', 164, UPPER_NUM)}`, name: 'SLACK_CONFIG_TOKEN', gitleaks: 'slack-config-access-token' }),
  prefixRule({ id: 'slack-config-refresh-token', description: 'Slack configuration refresh token', body: 'xoxe-\\d-[A-Z0-9]{146}', keywords: ['xoxe-'], sample: `xoxe-1-${sample('scr', 146, UPPER_NUM)}`, name: 'SLACK_CONFIG_REFRESH_TOKEN', gitleaks: 'slack-config-refresh-token' }),
  prefixRule({ id: 'slack-legacy-token', description: 'Slack legacy token', body: 'xox[os]-\\d+-\\d+-\\d+-[a-fA-F\\d]{10,64}|xox[ar]-(?:\\d-)?[0-9a-zA-Z]{8,48}', keywords: ['xoxo-', 'xoxs-', 'xoxa-', 'xoxr-'], sample: `xoxs-${digits('sl1', 10)}-${digits('sl2', 11)}-${digits('sl3', 12)}-${sample('sl4', 64, HEX)}`, name: 'SLACK_LEGACY_TOKEN', gitleaks: 'slack-legacy-token', secretlint: '@secretlint/secretlint-rule-slack' }),
  rule({
    id: 'slack-webhook-url',
    description: 'Slack incoming webhook URL',
    severity: 'high',
    regex: /hooks\.slack\.com\/(?:services\/(T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[A-Za-z0-9]{20,32})|(?:workflows|triggers)\/(T[A-Z0-9]{8,12}\/[A-Za-z0-9]{8,12}\/\d{6,20}\/[A-Za-z0-9]{20,40}))/,
    keywords: ['hooks.slack.com'],
    entropy: 3,
    gitleaks: 'slack-webhook-url',
    secretlint: '@secretlint/secretlint-rule-slack',
    positives: [...inSyntaxes('SLACK_WEBHOOK_URL', slackHook), `curl -X POST -d '{"text":"deployed"}' ${slackHook}`],
    negatives: [...placeholderNegatives('SLACK_WEBHOOK_URL'), 'SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'see https://hooks.slack.com/services/ for docs'],
  }),
  contextRule({ id: 'discord-bot-token', description: 'Discord bot token', severity: 'high', ids: 'discord', secret: '[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}', keywords: ['discord'], sample: discordBot, name: 'DISCORD_BOT_TOKEN', gitleaks: 'discord-api-token' }),
  rule({
    id: 'discord-webhook-url',
    description: 'Discord webhook URL',
    severity: 'high',
    regex: /discord(?:app)?\.com\/api\/webhooks\/(\d{17,20}\/[A-Za-z0-9_-]{60,68})/,
    keywords: ['discord.com/api/webhooks', 'discordapp.com/api/webhooks'],
    entropy: 3.5,
    positives: inSyntaxes('DISCORD_WEBHOOK', `https://discord.com/api/webhooks/${digits('dw', 19)}/${sample('dw2', 68, B64URL)}`),
    negatives: [...placeholderNegatives('DISCORD_WEBHOOK'), 'DISCORD_WEBHOOK=https://discord.com/api/webhooks/123/abc'],
  }),
  contextRule({ id: 'discord-client-secret', description: 'Discord OAuth client secret', ids: 'discord', secret: '[A-Za-z0-9_-]{32}', keywords: ['discord'], sample: sample('dcs', 32, B64URL), name: 'DISCORD_CLIENT_SECRET', gitleaks: 'discord-client-secret' }),
  rule({
    id: 'telegram-bot-token',
    description: 'Telegram bot API token',
    severity: 'high',
    regex: /(?:(?<=bot)|(?<![\w:-]))(\d{8,10}:AA[A-Za-z0-9_-]{33})(?![\w-])/,
    keywords: [':aa'],
    entropy: 3.5,
    gitleaks: 'telegram-bot-api-token',
    positives: [...inSyntaxes('TELEGRAM_BOT_TOKEN', `${digits('tg', 10)}:AA${sample('tg2', 33, B64URL)}`), `curl https://api.telegram.org/bot${digits('tg', 10)}:AA${sample('tg2', 33, B64URL)}/getMe`],
    negatives: [...placeholderNegatives('TELEGRAM_BOT_TOKEN'), 'TELEGRAM_BOT_TOKEN=123456789:AAshort', 'time = 12345678:AA'],
  }),
  rule({
    id: 'microsoft-teams-webhook',
    description: 'Microsoft Teams incoming webhook URL',
    severity: 'high',
    regex: /[a-z0-9-]{1,60}\.webhook\.office\.com\/webhookb2\/[a-f0-9-]{36}@[a-f0-9-]{36}\/IncomingWebhook\/([a-f0-9]{32}\/[a-f0-9-]{36})/i,
    keywords: ['webhook.office.com'],
    entropy: 3,
    gitleaks: 'microsoft-teams-webhook',
    positives: inSyntaxes('TEAMS_WEBHOOK_URL', `https://acme.webhook.office.com/webhookb2/${uuidLike('t1')}@${uuidLike('t2')}/IncomingWebhook/${sample('t3', 32, HEX)}/${uuidLike('t4')}`),
    negatives: [...placeholderNegatives('TEAMS_WEBHOOK_URL'), 'TEAMS_WEBHOOK_URL=https://acme.webhook.office.com/webhookb2/'],
  }),
  rule({
    id: 'microsoft-teams-workflow-webhook',
    description: 'Microsoft Teams / Power Automate workflow webhook URL',
    severity: 'high',
    regex: /\.logic\.azure\.com(?::443)?\/workflows\/[a-f0-9]{32}\/triggers\/manual\/paths\/invoke\?[^\s"']{0,200}?sig=([A-Za-z0-9_-]{43})/,
    keywords: ['logic.azure.com'],
    entropy: 3.5,
    positives: inSyntaxes('TEAMS_WORKFLOW_URL', `https://prod-12.westeurope.logic.azure.com:443/workflows/${sample('lw', 32, HEX)}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sample('lw2', 43, B64URL)}`),
    negatives: ['TEAMS_WORKFLOW_URL=https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=${SIG}'],
  }),
  rule({
    id: 'google-chat-webhook',
    description: 'Google Chat incoming webhook URL',
    severity: 'medium',
    regex: /chat\.googleapis\.com\/v1\/spaces\/[\w-]{6,20}\/messages\?key=[\w-]{39}&token=([\w-]{43}(?:%3D|=)?)/,
    keywords: ['chat.googleapis.com'],
    entropy: 3.5,
    positives: inSyntaxes('GOOGLE_CHAT_WEBHOOK', `https://chat.googleapis.com/v1/spaces/AAAA${sample('gc', 7, ALNUM)}/messages?key=AIza${sample('gc2', 35, B64URL)}&token=${sample('gc3', 43, B64URL)}%3D`),
    negatives: ['GOOGLE_CHAT_WEBHOOK=https://chat.googleapis.com/v1/spaces/SPACE/messages?key=KEY&token=TOKEN'],
  }),
  contextRule({ id: 'mattermost-access-token', description: 'Mattermost access token', ids: 'mattermost', secret: '[a-z0-9]{26}', keywords: ['mattermost'], sample: sample('mm', 26, LOWER_NUM), name: 'MATTERMOST_TOKEN', gitleaks: 'mattermost-access-token' }),
  contextRule({ id: 'twitch-api-token', description: 'Twitch API token', ids: 'twitch', secret: '[a-z0-9]{30}', keywords: ['twitch'], sample: sample('twitch', 30, LOWER_NUM), name: 'TWITCH_CLIENT_SECRET', gitleaks: 'twitch-api-token' }),
  contextRule({ id: 'intercom-access-token', description: 'Intercom access token', ids: 'intercom', secret: 'dG9rOj[A-Za-z0-9_=-]{40,60}', keywords: ['intercom'], sample: 'dG9rOj' + sample('intercom', 54, B64URL), name: 'INTERCOM_ACCESS_TOKEN', gitleaks: 'intercom-api-key' }),
  prefixRule({ id: 'twitter-bearer-token', description: 'Twitter / X bearer token', body: 'A{22}[A-Za-z0-9%]{60,140}', keywords: ['aaaaaaaaaaaaaaaaaaaaaa'], sample: 'AAAAAAAAAAAAAAAAAAAAAA' + sample('tw', 90, ALNUM) + '%3D' + sample('tw2', 20, ALNUM), name: 'TWITTER_BEARER_TOKEN', gitleaks: 'twitter-bearer-token' }),
  contextRule({ id: 'twitter-api-secret', description: 'Twitter / X API secret', ids: 'twitter|x_api', secret: '[A-Za-z0-9]{50}', keywords: ['twitter', 'x_api'], sample: sample('tw-secret', 50, ALNUM), name: 'TWITTER_API_SECRET', gitleaks: 'twitter-api-secret' }),
  prefixRule({ id: 'facebook-access-token', description: 'Facebook / Meta access token', body: 'EAA[MC][A-Za-z0-9]{100,300}', keywords: ['eaam', 'eaac'], sample: 'EAAM' + sample('fb', 180, ALNUM), name: 'FACEBOOK_ACCESS_TOKEN', gitleaks: 'facebook-access-token' }),
  contextRule({ id: 'facebook-app-secret', description: 'Facebook / Meta app secret', ids: 'facebook|fb_app|meta_app', secret: '[a-f0-9]{32}', keywords: ['facebook', 'fb_app', 'meta_app'], sample: sample('fb-secret', 32, HEX), name: 'FACEBOOK_APP_SECRET', gitleaks: 'facebook-secret' }),
  contextRule({ id: 'linkedin-client-secret', description: 'LinkedIn client secret', ids: 'linkedin', secret: '[A-Za-z0-9]{16}', keywords: ['linkedin'], sample: sample('li', 16, ALNUM), name: 'LINKEDIN_CLIENT_SECRET', gitleaks: 'linkedin-client-secret' }),
  prefixRule({ id: 'line-channel-access-token', description: 'LINE Messaging API channel access token', body: '[A-Za-z0-9+/]{130,180}AdB04t89/1O/w1cDnyilFU=', keywords: ['adb04t89/1o/w1cdnyilfu='], sample: sample('line', 150, ALNUM) + 'AdB04t89/1O/w1cDnyilFU=', name: 'LINE_CHANNEL_ACCESS_TOKEN' }),
];

function uuidLike(seed: string): string {
  const h = sample(seed, 32, HEX);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
