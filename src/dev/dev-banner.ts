// The text `metacrypt dev` prints once it is ready: a loud warning, the
// facts a newcomer needs, and commands to paste, all on stdout.
import type { DevFacts } from './dev-facts.js';
import { curlCommand, envExports } from './dev-examples.js';
import type { CurlExample } from './dev-examples.js';

/** BANNER_LAST_LINE ends the banner; a script may wait for it. */
export const BANNER_LAST_LINE =
  'Ctrl-C stops it: the vault is sealed and the data directory deleted.';

const RULE = '!'.repeat(72);

// Said at the top and again in one line at the end, so a reader who
// scrolls to the commands still sees it.
const WARNING = [
  RULE,
  '!! WARNING: DEVELOPMENT SERVER. DO NOT USE IT IN PRODUCTION.',
  '!! Everything lives in a temporary directory deleted when it stops;',
  "!! the vault is left unsealed, and its seal password and both users'",
  '!! passwords are printed below. Never keep a real key or secret in it.',
  RULE,
];

/**
 * devBanner renders facts and examples for a person. Facts come in
 * aligned `Label: value` lines; commands are indented by two spaces and
 * continue with a backslash, so each pastes into sh as it stands.
 */
export function devBanner(
  facts: DevFacts,
  examples: readonly CurlExample[],
): string {
  const { admin, user } = facts.accounts;
  const rows: [string, string][] = [
    ['Address', facts.addr],
    ['Web UI', `${facts.addr}/ (your browser will not know the CA)`],
    ['Data directory', facts.dataDir],
    [
      'CA certificate',
      `${facts.caCert} (self-signed; valid until ` +
        `${facts.certExpiresAt.toISOString()})`,
    ],
    ['Identity server', `${facts.identityUrl} (development MCIAS)`],
    ['Seal password', facts.sealPassword],
    ['Admin', `${admin.username} / ${admin.password} (role admin)`],
    [
      'User',
      `${user.username} / ${user.password} ` +
        `(role user; may use the ${facts.transitMount} engine)`,
    ],
    ['Admin token', facts.adminToken],
    ['', `(expires ${facts.adminTokenExpiresAt})`],
    [
      'Transit',
      `mounted at ${facts.transitMount}, with the key ` +
        `${facts.transitKey} (aes256-gcm)`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const factLines = rows.map(
    ([label, value]) => (label === '' ? '' : `${label}:`).padEnd(width) + value,
  );

  const curlLines = examples.flatMap((example) => [
    `  # ${example.purpose}`,
    `  ${curlCommand(example, '    ')}`,
    '',
  ]);

  return [
    ...WARNING,
    '',
    'Metacrypt development server: initialized, unsealed and ready.',
    '',
    ...factLines,
    '',
    'For the metacrypt command, in another shell:',
    '',
    ...envExports(facts).map((line) => `  ${line}`),
    '  metacrypt status    # in a checkout: ./bin/run.js status',
    '',
    'With curl:',
    '',
    ...curlLines,
    'Server logs go to stderr as JSON lines. Development only: not for',
    'production.',
    BANNER_LAST_LINE,
    '',
  ].join('\n');
}
