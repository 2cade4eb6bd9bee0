#!/usr/bin/env bash
# Scaffolds packages/<dir> with the shared build, test and packaging setup.
# Usage: scripts/new-package.sh <dir> "<description>"
set -euo pipefail
dir=$1; desc=$2; root=$(cd "$(dirname "$0")/.." && pwd); pkg="$root/packages/$dir"
mkdir -p "$pkg/src" "$pkg/test"
cat > "$pkg/package.json" <<JSON
{
  "name": "@wxpark/$dir",
  "version": "0.0.0",
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "exports": {
    ".": {
      "@wxpark/source": "./src/index.ts",
      "types": "./dist/index.d.mts",
      "default": "./dist/index.mjs"
    },
    "./package.json": "./package.json"
  },
  "main": "./dist/index.mjs",
  "types": "./dist/index.d.mts",
  "files": ["dist", "CHANGELOG.md"],
  "engines": { "node": ">=22.12.0" },
  "publishConfig": {
    "access": "public",
    "exports": {
      ".": { "types": "./dist/index.d.mts", "default": "./dist/index.mjs" },
      "./package.json": "./package.json"
    }
  },
  "scripts": {
    "build": "tsdown",
    "typecheck": "tsc -p tsconfig.json",
    "test": "vitest run",
    "bench": "vitest bench --run",
    "check:package": "publint --strict && attw --pack . --profile esm-only"
  }
}
JSON
cat > "$pkg/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "include": ["src", "test", "bench"]
}
JSON
cat > "$pkg/tsconfig.build.json" <<JSON
{
  "extends": "./tsconfig.json",
  "include": ["src"]
}
JSON
cp "$root/LICENSE" "$pkg/LICENSE"
echo "export { default } from '../../tsdown.config.base.ts';" > "$pkg/tsdown.config.ts"
echo "export { default } from '../../vitest.shared.ts';" > "$pkg/vitest.config.ts"
