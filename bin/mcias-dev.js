#!/usr/bin/env node
// The MCIAS-compatible development identity server (for development and
// tests only): runs the compiled entry under dist/src/dev-identity.
import { main } from '../dist/src/dev-identity/main.js';

process.exitCode = await main(process.argv.slice(2));
