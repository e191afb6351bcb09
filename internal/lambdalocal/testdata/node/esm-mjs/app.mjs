// An ES module, found by its .mjs extension.
import { basename } from 'node:path';

export const handler = async (event) => ({ module: 'esm', file: basename(import.meta.url), event });
