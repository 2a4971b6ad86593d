// `metacrypt snapshot`: writes a consistent copy of the vault's database,
// safe while the server runs, to a new file with mode 0600.
import { Flags } from '@oclif/core';

import { loadConfig } from '../../../config/index.js';
import { openDatabase, snapshot } from '../../../db/index.js';
import type { SnapshotResult } from '../../../db/index.js';
import { BaseCommand } from '../../base-command.js';
import { configFlag } from '../../flags.js';

/** Snapshot copies the database named by the configuration. */
export class Snapshot extends BaseCommand {
  static override summary = "Write a consistent copy of the vault's database.";

  static override description =
    'Opens the database named by database.path in the configuration and ' +
    "copies it with SQLite's VACUUM INTO to --output: one file, mode " +
    '0600, holding the database as it stood at one moment. The server ' +
    'may keep running and writing meanwhile. An existing file is never ' +
    'overwritten. The copy is as encrypted as the database: restoring it ' +
    'needs the seal password that was current when it was taken. Check ' +
    'a copy with `metacrypt snapshot verify`.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> ' +
      '--config /etc/metacrypt/metacrypt.toml ' +
      '--output /var/lib/metacrypt/backups/metacrypt-$(date +%Y%m%d).db',
    '<%= config.bin %> <%= command.id %> --output pre-upgrade.db --json',
  ];

  static override flags = {
    config: configFlag,
    output: Flags.string({
      char: 'o',
      summary: 'The file to write; it must not exist yet.',
      helpValue: 'FILE',
      required: true,
    }),
  };

  async run(): Promise<SnapshotResult> {
    const { flags } = await this.parse(Snapshot);
    const { config } = await loadConfig({ configPath: flags.config });

    // The database is copied as it is, not migrated: a snapshot records
    // what the server wrote, and must not change a live server's schema.
    // create: false, so a mistyped path fails instead of copying an empty
    // new database.
    const db = openDatabase(config.database.path, { create: false });
    let result: SnapshotResult;
    try {
      result = snapshot(db, flags.output);
    } finally {
      db.close();
    }

    this.log(`Wrote ${result.path} (${String(result.bytes)} bytes)`);
    return result;
  }
}
