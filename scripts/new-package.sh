#!/usr/bin/env bash
# Scaffolds a workspace package or app with the repo's shared build, typecheck and test setup.
# Usage: scripts/new-package.sh packages/<name>|apps/<name> "<description>"
set -euo pipefail
dir=$1; desc=${2:-}
name=$(basename "$dir")
mkdir -p "$dir/src" "$dir/test"
case "$dir" in
  packages/*) private=false; main_exports=',
  "exports": {
    ".": {
      "development": "./src/index.ts",
      "types": "./src/index.ts",
      "default": "./dist/index.js"
    }
  }';;
  *) private=true; main_exports='';;
esac
cat > "$dir/package.json" <<JSON
{
  "name": "@foreman/$name",
  "version": "0.1.0",
  "description": "$desc",
  "private": $private,
  "type": "module"$main_exports,
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc --noEmit",
    "test": "NODE_OPTIONS=--experimental-vm-modules jest"
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src", "test"]
}
JSON
cat > "$dir/tsconfig.build.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "noEmit": false, "noCheck": true },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
JSON
cat > "$dir/jest.config.js" <<'JS'
import preset from '../../jest.preset.js';

export default { ...preset };
JS
