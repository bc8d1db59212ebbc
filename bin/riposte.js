#!/usr/bin/env node
// Launcher: runs the TypeScript entry point through tsx, so no build step is needed.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// PCRE2 rules run on JS RegExp: a catastrophic pattern falls back to V8's linear engine instead of
// stalling the engine. Must be set before any regex is compiled.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
register();
await import('../src/main.ts');
