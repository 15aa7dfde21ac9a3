#!/usr/bin/env bash
# The containers on a real engine (deploy/rootfs/podman-check.sh): podman
# builds deploy/Dockerfile, runs the image, brings up compose.yaml and plays
# the Kubernetes manifests. Slow (a full image build the first time), needs
# root, so it runs only when asked:
#
#   ANNALS_TEST_CONTAINER=1 tests/run -R container_podman
#
# Otherwise, or where podman cannot run containers, it exits 77, which ctest
# reports as skipped.
#
#   podman_test.sh check SOURCE_DIR BUILD_DIR
#       the whole check, on the Dockerfile users build;
#   podman_test.sh mutants SOURCE_DIR BUILD_DIR
#       the check must fail, naming the problem, on copies of the Dockerfile
#       that each lose something the image needs.
set -euo pipefail
if [ "${ANNALS_TEST_CONTAINER:-}" != "1" ]; then
  echo "skipped: set ANNALS_TEST_CONTAINER=1 to build and run the image with podman (deploy/README.md)"
  exit 77
fi
mode="$1" source_dir="$2" build_dir="$3"
check="$source_dir/deploy/rootfs/podman-check.sh"

if [ "$mode" = check ]; then
  exec bash "$check" --build-dir="$build_dir"
fi

[ "$mode" = mutants ] || {
  echo "usage: podman_test.sh check|mutants SOURCE_DIR BUILD_DIR" >&2
  exit 2
}
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failures=0
# mutant NAME EXPECTED_MESSAGE SED_PROGRAM: the check, with only the image
# run, on deploy/Dockerfile edited by SED_PROGRAM, must fail with a message
# containing EXPECTED_MESSAGE.
mutant() {
  local name="$1" expected="$2" program="$3" status=0
  sed -e "$program" "$source_dir/deploy/Dockerfile" >"$scratch/Dockerfile.$name"
  if cmp -s "$source_dir/deploy/Dockerfile" "$scratch/Dockerfile.$name"; then
    echo "FAIL $name: the edit changed nothing in deploy/Dockerfile"
    failures=$((failures + 1))
    return
  fi
  bash "$check" --build-dir="$build_dir" --only=run \
    --dockerfile="$scratch/Dockerfile.$name" --tag="localhost/annals-mutant:$name" \
    >"$scratch/$name.log" 2>&1 || status=$?
  if [ "$status" -eq 77 ]; then
    cat "$scratch/$name.log"
    exit 77
  fi
  if [ "$status" -eq 0 ]; then
    echo "FAIL $name: the check passed on a broken image"
    failures=$((failures + 1))
  elif ! grep -q -- "$expected" "$scratch/$name.log"; then
    echo "FAIL $name: the check failed, but not with '$expected':"
    tail -n 5 "$scratch/$name.log"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(grep -m 1 FAIL: "$scratch/$name.log")"
  fi
}
# Without the data set, the import job has nothing to read.
mutant no-data "the import job failed" '/^COPY data\/nmi/d'
# A volume folder the non-root user cannot write: the catalog cannot start.
mutant root-owned-volume "cannot create data directory" \
  's|^ && rm -rf /tmp/annals$| \&\& rm -rf /tmp/annals \&\& chown root:root /var/lib/annals|'
# Running as root: the check wants the image's user.
mutant root-user "runs as" '/^USER /d'
# No health check declared.
mutant no-healthcheck "declares no health check" '/^HEALTHCHECK/,/annals-healthcheck/d'
[ "$failures" -eq 0 ]
