#!/usr/bin/env node
// The installed `jitr` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import { main } from '../dist/scripts/jitr.js';

process.exitCode = await main(process.argv.slice(2));
