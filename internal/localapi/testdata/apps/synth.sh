#!/usr/bin/env bash
# Synthesizes every app in this directory into its committed cloud assembly (APP/cdk.out) with
# pinned versions, in a scratch directory, so that neither the repository nor CI needs a
# TypeScript toolchain. Run it after changing an app; review and commit the cdk.out diffs.
#
#   ./synth.sh            every app
#   ./synth.sh http-api   one app
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
scratch="${CDK_SCRATCH:-/tmp/cdk-scratch}"
mkdir -p "$scratch"
cd "$scratch"
if [ ! -f package.json ]; then
  npm init -y >/dev/null
fi
# Exact versions: the assemblies must not change because a newer library was published.
npm install --no-audit --no-fund --save-exact \
  aws-cdk-lib@2.270.0 constructs@10.6.0 aws-cdk@2.1148.1 typescript@5.9.3 >/dev/null

apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
  apps=(rest-lambda lambda-rest-api http-api nested state-machine)
fi
for app in "${apps[@]}"; do
  build="$scratch/build/$app"
  rm -rf "$build"
  mkdir -p "$build"
  # Compiled inside the scratch directory so that aws-cdk-lib resolves from its node_modules.
  cp "$here/$app/app.ts" "$build/app.ts"
  "$scratch/node_modules/.bin/tsc" --module commonjs --target es2022 \
    --strict --skipLibCheck --moduleResolution node "$build/app.ts"
  rm -rf "$here/$app/cdk.out"
  # From the app's directory: assets are paths relative to it, as in the CDK workshop.
  (cd "$here/$app" && NODE_PATH="$scratch/node_modules" "$scratch/node_modules/.bin/cdk" synth \
    --app "node $build/app.js" --output cdk.out --quiet --no-version-reporting --no-notices \
    --context aws-cdk:enableDiffNoFail=true >/dev/null)
  echo "synthesized $app"
done
