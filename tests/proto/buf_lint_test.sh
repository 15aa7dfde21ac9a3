#!/usr/bin/env bash
# Every .proto file under proto/ passes `buf lint` with the rules in buf.yaml.
# buf comes from the npm registry (@bufbuild/buf ships the binary), installed
# into the build tree so no global state changes.
#
#   buf_lint_test.sh SOURCE_DIR TOOLS_DIR
set -euo pipefail
source_dir="$1"
tools_dir="$2"
buf_version="1.75.0"
buf="$tools_dir/node_modules/.bin/buf"

if [ ! -x "$buf" ] || ! "$buf" --version 2>/dev/null | grep -qx "$buf_version"; then
  mkdir -p "$tools_dir"
  npm install --silent --no-audit --no-fund --prefix "$tools_dir" \
    "@bufbuild/buf@$buf_version" >/dev/null
fi

cd "$source_dir"
if ! output="$("$buf" lint 2>&1)"; then
  echo "buf lint found problems:"
  echo "$output"
  exit 1
fi
# A deliberately broken schema must fail, proving the lint really runs.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/proto/bad/v1"
cp buf.yaml "$scratch/"
printf 'syntax = "proto3";\npackage bad.v1;\nenum Color { RED = 0; }\n' \
  > "$scratch/proto/bad/v1/bad.proto"
if (cd "$scratch" && "$buf" lint >/dev/null 2>&1); then
  echo "buf lint accepted a schema that breaks its rules"
  exit 1
fi
echo "buf lint: proto/ is clean"
