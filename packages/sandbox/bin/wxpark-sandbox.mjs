#!/usr/bin/env node
// The `wxpark-sandbox` command: a file that exists before the build, so installing the workspace can link it.
import '../dist/cli.mjs';
