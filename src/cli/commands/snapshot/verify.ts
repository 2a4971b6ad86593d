// `metacrypt snapshot verify`: checks that a snapshot is sound and of a
// schema this build can serve and, if asked, that the password opens it.
import { Args, Flags } from '@oclif/core';

import { inspectDatabaseFile, withPrivateCopy } from '../../../db/index.js';
import { BaseCommand } from '../../base-command.js';
import { passwordStdinFlag } from '../../flags.js';
import { offlineConfig, withOfflineVault } from '../../offline-vault.js';
import { PasswordSource } from '../../password-source.js';

/** SnapshotVerifyResult is what `snapshot verify --json` prints. */
export interface SnapshotVerifyResult {
  readonly path: string;
  readonly integrity: 'ok';
  readonly schema_version: number;
  /** Whether the vault in it was initialized. */
  readonly initialized: boolean;
  /** Whether the seal password was checked (and so opens it). */
  readonly password_checked: boolean;
}

/** SnapshotVerify checks a snapshot file. */
export class SnapshotVerify extends BaseCommand {
  static override summary = 'Check a snapshot, and that a password opens it.';

  static override description =
    "Opens FILE read-only and runs SQLite's integrity check on it, then " +
    'reads its schema version: one newer than this build knows is an ' +
    'error, an older one is migrated by the server when it starts on it. ' +
    'Nothing is written to FILE or beside it. With --check-password (a ' +
    'hidden prompt) or --password-stdin (one line), it also proves that ' +
    'the seal password unseals the vault in it, by unsealing a private ' +
    'temporary copy, which is deleted afterwards. Exits 1 for a damaged ' +
    'file, a newer schema or a wrong password.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> /var/lib/metacrypt/backups/metacrypt-20260314.db',
    '<%= config.bin %> <%= command.id %> pre-upgrade.db --password-stdin --json < password.txt',
  ];

  static override args = {
    file: Args.string({
      description: 'The snapshot to check.',
      required: true,
    }),
  };

  static override flags = {
    'check-password': Flags.boolean({
      summary: 'Also check that the seal password (prompted) opens it.',
      default: false,
    }),
    'password-stdin': passwordStdinFlag,
  };

  async run(): Promise<SnapshotVerifyResult> {
    const { args, flags } = await this.parse(SnapshotVerify);

    // Step 1: the file itself, read-only.
    const report = await inspectDatabaseFile(args.file);
    this.log(
      `${report.path}: integrity ok, schema version ` +
        `${String(report.schemaVersion)} (this build: ` +
        `${String(report.supportedVersion)}), ` +
        (report.initialized ? 'initialized' : 'not initialized'),
    );

    // Step 2: the password, on a copy, since unsealing writes (the
    // migrations, the unseal limiter's record of failures).
    const checkPassword = flags['check-password'] || flags['password-stdin'];
    if (checkPassword) {
      const password = await new PasswordSource(flags['password-stdin']).next({
        prompt: 'Seal password',
      });
      await withPrivateCopy(report.path, (copy) =>
        withOfflineVault(offlineConfig(copy), async (vault) => {
          await vault.unseal(password);
          await vault.seal();
        }),
      );
      this.log('seal password: opens it');
    }

    return {
      path: report.path,
      integrity: 'ok',
      schema_version: report.schemaVersion,
      initialized: report.initialized,
      password_checked: checkPassword,
    };
  }
}
