#!/usr/bin/env bash
# Proves deploy/Dockerfile's runtime stage without a Docker engine.
#
# 1. Builds a minimal Debian 12 root filesystem with debootstrap
#    (--variant=minbase, from the mirror this machine's apt uses) and runs
#    deploy/install-runtime in it with deploy/runtime-packages.txt: the
#    Dockerfile's own script and list, so the two cannot drift.
# 2. Copies the built binaries and data/nmi to the image's paths.
# 3. In fresh network, PID and mount namespaces (only a loopback interface,
#    like a container's), chrooted into that file system:
#    - `ldd` finds every library of the three binaries (the list is complete);
#    - starts annals-catalog and annals-timeline as uid 10001 on 0.0.0.0, as
#      the image does, and their metrics endpoints answer GET /metrics;
#    - both report SERVING (`annals health`);
#    - imports data/nmi, and the timeline lists nmi's 7 commanders;
#    - SIGTERM stops both with exit status 0.
# Exits 0 when all of that holds, 1 otherwise.
#
#   deploy/rootfs/check.sh [--build-dir=DIR] [--catalog=BIN] [--timeline=BIN]
#                          [--cli=BIN] [--work-dir=DIR]
#
# The binaries default to those in --build-dir ($ANNALS_BUILD_DIR, or
# ./build). Work files go to --work-dir (default BUILD_DIR/deploy-rootfs):
# logs/, the root file system rootfs/, and two cached tarballs, like image
# layers: the debootstrapped base (keyed by mirror and suite) and the runtime
# layer (keyed also by the package list and install-runtime). A rerun with
# both cached takes seconds; ANNALS_ROOTFS_REFRESH=1 rebuilds them.
# ANNALS_DEBIAN_MIRROR overrides the mirror. Needs root (debootstrap, chroot,
# namespaces) and the Debian archive; installs debootstrap (and iproute2) if
# they are missing. Every mount lives in a private mount namespace, so it
# disappears with the script however the script ends.
set -euo pipefail

self="$(readlink -f "${BASH_SOURCE[0]}")"
root="$(cd "$(dirname "$self")/../.." && pwd)"
suite="bookworm"
uid=10001

# Seconds since the first invocation (the script re-runs itself in
# namespaces).
export ANNALS_ROOTFS_STARTED="${ANNALS_ROOTFS_STARTED:-$(date +%s)}"
elapsed() { echo $(($(date +%s) - ANNALS_ROOTFS_STARTED)); }
log() { printf '[%4ds] %s\n' "$(elapsed)" "$*"; }
fail() {
  printf '[%4ds] FAIL: %s\n' "$(elapsed)" "$*" >&2
  exit 1
}

build_dir="${ANNALS_BUILD_DIR:-$root/build}"
catalog_bin="" timeline_bin="" cli_bin="" work_dir="" stage="prepare"
for arg in "$@"; do
  case "$arg" in
    --build-dir=*) build_dir="${arg#*=}" ;;
    --catalog=*) catalog_bin="${arg#*=}" ;;
    --timeline=*) timeline_bin="${arg#*=}" ;;
    --cli=*) cli_bin="${arg#*=}" ;;
    --work-dir=*) work_dir="${arg#*=}" ;;
    --stage=*) stage="${arg#*=}" ;; # internal: "serve" runs step 3
    -h | --help)
      sed -n '2,/^set -euo/p' "$self" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) fail "unknown argument $arg (see --help)" ;;
  esac
done
catalog_bin="${catalog_bin:-$build_dir/services/catalog/annals-catalog}"
timeline_bin="${timeline_bin:-$build_dir/services/timeline/annals-timeline}"
cli_bin="${cli_bin:-$build_dir/clients/cli/annals}"
work_dir="${work_dir:-$build_dir/deploy-rootfs}"
rootfs="$work_dir/rootfs"
logs="$work_dir/logs"

# shellcheck source=deploy/rootfs/base.sh
source "$(dirname "$self")/base.sh"

require_tools() {
  local missing=()
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs a command in the root file system as the image's user, with the
# environment a container would give it. (A prefix rather than a function, so
# that `"${as_annals[@]}" ... &` makes $! the service's own PID.)
as_annals=()
set_as_annals() {
  as_annals=(chroot --userspec="$uid:$uid" --groups="$uid" "$rootfs"
    /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/var/lib/annals)
}

# Step 3, run as PID 1 of new network, PID and mount namespaces.
serve() {
  pids=()
  # shellcheck disable=SC2317  # Runs from the EXIT trap.
  cleanup() {
    if [ "${#pids[@]}" -gt 0 ]; then
      kill -TERM "${pids[@]}" 2>/dev/null || true
      sleep 1
      kill -KILL "${pids[@]}" 2>/dev/null || true
    fi
    umount "$rootfs/dev" 2>/dev/null || true
    umount "$rootfs/proc" 2>/dev/null || true
  }
  trap cleanup EXIT

  set_as_annals
  ip link set lo up
  mount -t proc proc "$rootfs/proc"
  mount --bind /dev "$rootfs/dev"

  log "ldd inside the root file system"
  local bin output
  for bin in annals-catalog annals-timeline annals; do
    output="$(chroot "$rootfs" ldd "/usr/local/bin/$bin" 2>&1)" ||
      fail "ldd /usr/local/bin/$bin failed: $output"
    if grep -q "not found" <<<"$output"; then
      fail "libraries of $bin missing from deploy/runtime-packages.txt:
$(grep "not found" <<<"$output")"
    fi
    log "  $bin: $(grep -c '=>' <<<"$output") libraries, none missing"
  done

  # Starts a service in the background as the image's user, and waits for
  # its "listening on" line.
  start() {
    local name="$1"
    shift
    "${as_annals[@]}" "$@" >"$logs/$name.log" 2>&1 &
    pids+=("$!")
    local pid="$!"
    for _ in $(seq 1 300); do
      if grep -q "listening on" "$logs/$name.log"; then break; fi
      kill -0 "$pid" 2>/dev/null || fail "$name exited: $(cat "$logs/$name.log")"
      sleep 0.1
    done
    grep -q "listening on" "$logs/$name.log" ||
      fail "$name did not start within 30 s: $(cat "$logs/$name.log")"
    local user
    user="$(awk '/^Uid:/ { print $2 }' "$rootfs/proc/$pid/status")"
    [ "$user" = "$uid" ] || fail "$name runs as uid $user, not $uid"
    log "  $(grep -m 1 "listening on" "$logs/$name.log") [uid $user]"
  }
  log "starting the services as uid $uid"
  # The image's commands and environment (Dockerfile, compose.yaml).
  start catalog ANNALS_METRICS_LISTEN=0.0.0.0:9401 annals-catalog \
    --listen=0.0.0.0:7401 --data_dir=/var/lib/annals/catalog
  local catalog_pid="${pids[0]}"
  start timeline ANNALS_METRICS_LISTEN=0.0.0.0:9402 annals-timeline \
    --listen=0.0.0.0:7402 --catalog=127.0.0.1:7401
  local timeline_pid="${pids[1]}"

  # Metrics, where the binaries serve them ("metrics on" at start-up): GET
  # /metrics answers 200.
  local name port status_line
  for name in catalog:9401 timeline:9402; do
    port="${name#*:}" name="${name%:*}"
    if ! grep -q "metrics on" "$logs/$name.log"; then
      log "  $name: no metrics endpoint in this build"
      continue
    fi
    status_line="$(timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port
      printf 'GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
      head -n 1 <&3" 2>&1 | tr -d '\r')" || true
    [[ "$status_line" == *" 200 "* ]] ||
      fail "GET /metrics on $name's port $port: ${status_line:-no answer}"
    log "  $name: GET /metrics on 0.0.0.0:$port: $status_line"
  done

  local catalog=--catalog=127.0.0.1:7401 timeline=--timeline=127.0.0.1:7402
  # Retries a check for up to 30 s (the timeline serves once caught up).
  eventually() {
    local what="$1"
    shift
    for _ in $(seq 1 60); do
      if "$@" >"$logs/check.out" 2>&1; then return 0; fi
      sleep 0.5
    done
    fail "$what: $(cat "$logs/check.out")"
  }
  if "${as_annals[@]}" annals --help 2>&1 | grep -qE '^ +health'; then
    log "health: annals health"
    eventually "catalog not SERVING" "${as_annals[@]}" annals "$catalog" health catalog
    eventually "timeline not SERVING" "${as_annals[@]}" annals "$timeline" health timeline
  else
    # Until the CLI has a health command: a call that must succeed. Only a
    # CLI older than `annals health` gets here, and its timeline read `to`
    # as the day after the window (and refused to = from); this window is
    # valid either way (2000-01-01 then, 2000-01-01 through 2000-01-02 now).
    log "health: this annals has no health command; checking with calls"
    eventually "catalog does not answer" \
      "${as_annals[@]}" annals "$catalog" --json list entities --limit=1
    eventually "timeline does not answer" \
      "${as_annals[@]}" annals "$timeline" --json window --from=2000-01-01 \
      --to=2000-01-02
  fi

  log "importing data/nmi"
  local imported sequence
  imported="$("${as_annals[@]}" annals "$catalog" "$timeline" import \
    /usr/share/annals/data/nmi 2>&1)" || fail "import failed: $imported"
  log "  $imported"
  sequence="$(sed -n 's/.*(catalog sequence \([0-9][0-9]*\)).*/\1/p' <<<"$imported")"
  [ -n "$sequence" ] || fail "import printed no catalog sequence"

  local history count
  history="$("${as_annals[@]}" annals "$timeline" --min-sequence="$sequence" --json \
    history nmi --predicate=commander 2>&1)" || fail "history failed: $history"
  count="$(grep -c '"predicate": *"commander"' <<<"$history" || true)"
  [ "$count" -eq 7 ] || fail "expected 7 commanders of nmi, got $count: $history"
  log "history nmi --predicate=commander: $count commanders"
  "${as_annals[@]}" annals "$timeline" --min-sequence="$sequence" \
    history nmi --predicate=commander | sed 's/^/         /'

  log "stopping with SIGTERM"
  local status
  kill -TERM "$timeline_pid"
  status=0 && wait "$timeline_pid" || status=$?
  [ "$status" -eq 0 ] || fail "annals-timeline exited $status: $(tail -n 5 "$logs/timeline.log")"
  kill -TERM "$catalog_pid"
  status=0 && wait "$catalog_pid" || status=$?
  [ "$status" -eq 0 ] || fail "annals-catalog exited $status: $(tail -n 5 "$logs/catalog.log")"
  pids=()
  local foreign
  foreign="$(find "$rootfs/var/lib/annals" ! -uid "$uid" -print -quit)"
  [ -z "$foreign" ] || fail "$foreign is not owned by uid $uid"
  log "both exited 0; the catalog's files belong to uid $uid"
}

if [ "$stage" = "serve" ]; then
  serve
  exit 0
fi

# ---- Steps 1 and 2, in a private mount namespace.
[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, namespaces)"
for bin in "$catalog_bin" "$timeline_bin" "$cli_bin"; do
  [ -x "$bin" ] || fail "$bin is not built"
done
if [ -z "${ANNALS_ROOTFS_PRIVATE_NS:-}" ]; then
  require_tools
  export ANNALS_ROOTFS_PRIVATE_NS=1
  exec unshare --mount --propagation private --fork --kill-child -- \
    bash "$self" "$@"
fi

mkdir -p "$work_dir"
work_dir="$(cd "$work_dir" && pwd)"
rootfs="$work_dir/rootfs"
logs="$work_dir/logs"
safe_rm "$logs"
mkdir -p "$logs"
choose_base "$work_dir"
packages_file="$root/deploy/runtime-packages.txt"
install_runtime="$root/deploy/install-runtime"

runtime_key="$({
  printf '%s\n' "$base_key" "$security"
  cat "$packages_file" "$install_runtime"
} | key_of)"
runtime_tar="$work_dir/runtime-$runtime_key.tar"
staging="$work_dir/staging"
if [ -n "${ANNALS_ROOTFS_REFRESH:-}" ]; then rm -f "$base_tar" "$runtime_tar"; fi

if [ ! -f "$runtime_tar" ]; then make_base "$base_tar" "$staging"; fi

if [ ! -f "$runtime_tar" ]; then
  log "install-runtime with deploy/runtime-packages.txt (log: $logs/install-runtime.log)"
  safe_rm "$staging"
  mkdir -p "$staging"
  tar --numeric-owner -C "$staging" -xf "$base_tar"
  # The apt sources of the debian:bookworm-slim image.
  write_image_sources "$staging"
  cp /etc/resolv.conf "$staging/etc/resolv.conf"
  mkdir -p "$staging/tmp/annals"
  cp "$packages_file" "$install_runtime" "$staging/tmp/annals/"
  mount -t proc proc "$staging/proc"
  mount --bind /dev "$staging/dev"
  status=0
  chroot "$staging" /tmp/annals/install-runtime /tmp/annals/runtime-packages.txt \
    >"$logs/install-runtime.log" 2>&1 || status=$?
  # shellcheck disable=SC2016  # dpkg-query's format, not the shell's.
  chroot "$staging" dpkg-query -W -f='${Package} ${Version}\n' \
    >"$logs/installed-packages.txt" 2>/dev/null || true
  umount "$staging/dev" "$staging/proc"
  [ "$status" -eq 0 ] ||
    fail "install-runtime failed: $(tail -n 20 "$logs/install-runtime.log")"
  rm -rf "$staging/tmp/annals"
  : >"$staging/etc/resolv.conf"
  rm -f "$work_dir"/runtime-*.tar
  tar --numeric-owner -C "$staging" -cf "$runtime_tar.partial" .
  mv "$runtime_tar.partial" "$runtime_tar"
  safe_rm "$staging"
  log "cached the runtime layer as $runtime_tar ($(du -sh "$runtime_tar" | cut -f1))"
else
  log "using the cached runtime layer $runtime_tar"
fi

safe_rm "$rootfs"
mkdir -p "$rootfs"
tar --numeric-owner -C "$rootfs" -xf "$runtime_tar"
# The Dockerfile's COPY steps.
install -m 0755 "$catalog_bin" "$rootfs/usr/local/bin/annals-catalog"
install -m 0755 "$timeline_bin" "$rootfs/usr/local/bin/annals-timeline"
install -m 0755 "$cli_bin" "$rootfs/usr/local/bin/annals"
mkdir -p "$rootfs/usr/share/annals/data"
cp -r "$root/data/nmi" "$rootfs/usr/share/annals/data/nmi"
chmod -R a+rX "$rootfs/usr/share/annals"
log "root file system ready: $rootfs ($(du -sh "$rootfs" | cut -f1) with the binaries)"

unshare --net --pid --mount --fork --kill-child -- bash "$self" --stage=serve \
  --catalog="$catalog_bin" --timeline="$timeline_bin" --cli="$cli_bin" \
  --work-dir="$work_dir" ||
  fail "the services did not pass inside the root file system (logs: $logs)"
log "PASS: the runtime image serves"
