// `metacrypt engine mount`: mounts an engine of a type under a name.
import { Args, Flags } from '@oclif/core';

import { MetacryptError } from '../../../errors/index.js';
import { ApiCommand } from '../../api-command.js';
import { userFlags } from '../../flags.js';
import { replyObject, replyString } from '../../reply-fields.js';

/** EngineMountResult is what `engine mount --json` prints: the mount. */
export interface EngineMountResult {
  readonly name: string;
  readonly type: string;
  readonly config: unknown;
  readonly created_at: string;
}

/** EngineMount mounts an engine. */
export class EngineMount extends ApiCommand {
  static override summary = 'Mount an engine (admin).';

  static override description =
    'Creates a mount of an engine type under a name, with its own data ' +
    'key. The types a server has are listed by GET /v1/engine/types; ' +
    'this build ships transit. Needs an admin token.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> transit --type transit',
    '<%= config.bin %> <%= command.id %> notes --type notes ' +
      `--engine-config '{"colour":"green"}' --json`,
  ];

  static override args = {
    name: Args.string({
      description: 'The mount name: letters, digits, _ and -.',
      required: true,
    }),
  };

  static override flags = {
    ...userFlags,
    type: Flags.string({
      char: 't',
      summary: 'The engine type, such as transit.',
      helpValue: 'TYPE',
      required: true,
    }),
    'engine-config': Flags.string({
      summary: "The engine's configuration, a JSON object (default {}).",
      helpValue: 'JSON',
    }),
  };

  async run(): Promise<EngineMountResult> {
    const { args, flags } = await this.parse(EngineMount);
    const config = parseEngineConfig(flags['engine-config']);
    const client = this.userClient(flags);

    const route = '/v1/engine/mount';
    const { body } = await client.call('POST', route, {
      name: args.name,
      type: flags.type,
      ...(config === undefined ? {} : { config }),
    });
    const at = { addr: client.addr, route };
    const mount: EngineMountResult = {
      name: replyString(body, 'name', at),
      type: replyString(body, 'type', at),
      config: replyObject(body, at).config,
      created_at: replyString(body, 'created_at', at),
    };

    this.log(`Mounted ${mount.type} at ${mount.name}.`);
    return mount;
  }
}

/** parseEngineConfig reads --engine-config, which must be an object. */
function parseEngineConfig(
  text: string | undefined,
): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MetacryptError('cli_usage', '--engine-config is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MetacryptError(
      'cli_usage',
      '--engine-config must be a JSON object',
    );
  }
  return value as Record<string, unknown>;
}
