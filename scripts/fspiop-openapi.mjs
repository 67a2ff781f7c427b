#!/usr/bin/env node
// Writes src/fspiop/vendor/fspiop-rest-v1.1.json from the vendored YAML beside it, unchanged but for the
// format: the hub imports JSON (the production build bundles it), and src/fspiop/openapi.test.ts compares
// the two.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '@readme/openapi-parser';

const folder = new URL('../src/fspiop/vendor/', import.meta.url);
const document = await parse(fileURLToPath(new URL('fspiop-rest-v1.1-openapi3-snippets.yaml', folder)));
writeFileSync(new URL('fspiop-rest-v1.1.json', folder), `${JSON.stringify(document)}\n`);
