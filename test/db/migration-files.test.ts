// readMigrationFiles: which names count as migrations, and the rule that
// their numbers run from 0001 without duplicates or gaps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { readMigrationFiles } from '../../src/db/index.js';
import {
  databaseErrorOf,
  makeTempDir,
  removeDir,
  writeMigrations,
} from './scratch.js';

describe('readMigrationFiles', () => {
  let root: string;
  before(() => {
    root = makeTempDir();
  });
  after(() => {
    removeDir(root);
  });

  const migrations = (files: Record<string, string>): string =>
    writeMigrations(root, files);

  const twoSteps = {
    '0002_add_author.sql': 'ALTER TABLE notes ADD COLUMN author TEXT;',
    '0001_create_notes.sql': 'CREATE TABLE notes (body TEXT) STRICT;',
  };

  it('returns the files ordered by number, with their SQL', () => {
    const directory = migrations(twoSteps);
    assert.deepEqual(readMigrationFiles(directory), [
      {
        version: 1,
        name: 'create_notes',
        fileName: '0001_create_notes.sql',
        sql: twoSteps['0001_create_notes.sql'],
      },
      {
        version: 2,
        name: 'add_author',
        fileName: '0002_add_author.sql',
        sql: twoSteps['0002_add_author.sql'],
      },
    ]);
  });

  it('returns nothing for an empty directory', () => {
    assert.deepEqual(readMigrationFiles(migrations({})), []);
  });

  it('rejects files that are not named NNNN_snake_case_name.sql', () => {
    const bad = [
      'README.md',
      '1_initial.sql',
      '0001-initial.sql',
      '0001_Initial.sql',
      '0001_initial.SQL',
      '0001_initial_.sql',
      '00001_initial.sql',
    ];
    for (const name of bad) {
      const directory = migrations({ [name]: 'SELECT 1;' });
      const err = databaseErrorOf(() => readMigrationFiles(directory));
      assert.equal(err.code, 'db_migration');
      assert.equal(
        err.message,
        `db: migration file ${name}: name is not NNNN_snake_case_name.sql`,
      );
    }
  });

  it('ignores dot files such as editor swap files', () => {
    const directory = migrations({
      ...twoSteps,
      '.0002_add_author.sql.swp': 'junk',
    });
    assert.equal(readMigrationFiles(directory).length, 2);
  });

  it('rejects two files with the same number', () => {
    const directory = migrations({
      '0001_a.sql': 'SELECT 1;',
      '0002_b.sql': 'SELECT 1;',
      '0002_c.sql': 'SELECT 1;',
    });
    const err = databaseErrorOf(() => readMigrationFiles(directory));
    assert.equal(
      err.message,
      'db: migration file 0002_c.sql: number is already used by 0002_b.sql',
    );
  });

  it('rejects a gap in the numbers', () => {
    const directory = migrations({
      '0001_a.sql': 'SELECT 1;',
      '0003_c.sql': 'SELECT 1;',
    });
    const err = databaseErrorOf(() => readMigrationFiles(directory));
    assert.equal(
      err.message,
      'db: migration file 0003_c.sql: expected number 0002; ' +
        'migrations are numbered from 0001 without gaps',
    );
  });

  it('rejects numbers that do not start at 0001', () => {
    for (const name of ['0000_zero.sql', '0002_first.sql']) {
      const directory = migrations({ [name]: 'SELECT 1;' });
      const err = databaseErrorOf(() => readMigrationFiles(directory));
      assert.match(err.message, new RegExp(`^db: migration file ${name}: `));
    }
  });

  it('rejects an empty migration file', () => {
    const directory = migrations({ '0001_empty.sql': ' \n' });
    const err = databaseErrorOf(() => readMigrationFiles(directory));
    assert.equal(
      err.message,
      'db: migration file 0001_empty.sql: file is empty',
    );
  });
});
