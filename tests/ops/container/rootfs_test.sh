#!/usr/bin/env bash
# The container recipe serves: deploy/rootfs/check.sh builds the runtime
# image's file system with debootstrap and runs both services and a query in
# it. Slow (minutes the first time), needs root and the Debian archive, so it
# runs only when asked:
#
#   ANNALS_TEST_CONTAINER=1 tests/run -R container_rootfs
#
# Otherwise it exits 77, which ctest reports as skipped.
#
#   rootfs_test.sh SOURCE_DIR WORK_DIR CATALOG TIMELINE CLI
set -euo pipefail
if [ "${ANNALS_TEST_CONTAINER:-}" != "1" ]; then
  echo "skipped: set ANNALS_TEST_CONTAINER=1 to build and run the rootfs (deploy/README.md)"
  exit 77
fi
source_dir="$1" work_dir="$2"
exec bash "$source_dir/deploy/rootfs/check.sh" --work-dir="$work_dir" \
  --catalog="$3" --timeline="$4" --cli="$5"
