#!/usr/bin/env node
// The published entry point: TypeScript sources run through tsx's loader, so
// there is no separate build step between a clone and a running hub.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
