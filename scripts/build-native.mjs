// Builds the native kernel addon (native/) with node-gyp when a binding.gyp exists.
// Never fails the install: on error it prints one warning and r1ts runs on the pure-TS kernels.
import { existsSync } from 'node:fs';
if (!existsSync('binding.gyp')) process.exit(0);
