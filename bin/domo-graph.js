#!/usr/bin/env node
// `npx domo-graph …`: runs the TypeScript CLI with plain node, through tsx's loader (a dependency),
// so a fresh clone works after `npm ci` without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
