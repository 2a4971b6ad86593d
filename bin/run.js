#!/usr/bin/env node
// The metacrypt command: oclif reads package.json's "oclif" section and
// runs the compiled command under dist/src/cli/commands.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
