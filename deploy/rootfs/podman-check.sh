#!/usr/bin/env bash
# Proves the containers on a real engine: podman builds deploy/Dockerfile,
# runs the image as users run it, brings up deploy/compose.yaml, and plays
# the Kubernetes manifests.
#
# 1. Base image: the debootstrapped Debian 12 that deploy/rootfs/check.sh
#    makes (deploy/rootfs/base.sh, cached), with the official images' apt
#    sources, imported as debian:bookworm and debian:bookworm-slim (no
#    registry is needed or asked: every build uses --pull=never).
# 2. Image: `podman build -f deploy/Dockerfile` from the repository root,
#    both stages, with the ignore file Docker reads beside it. Any failing
#    step fails the check.
# 3. Run: the catalog (the image's default command) with a named data
#    volume and the timeline, on a network of their own with ports published
#    on 127.0.0.1; both run as uid 10001, become healthy by the image's own
#    HEALTHCHECK, take the NATO import job (a one-off container), answer the
#    seven commanders through the published address, and stop on `podman
#    stop` (SIGTERM) with exit status 0 within the grace period. Restarted on
#    the same volume, the catalog still holds the data.
# 4. Compose: deploy/compose.yaml with podman-compose, started in dependency
#    order with each service's health awaited (podman-compose 1.0 starts in
#    order but does not wait for `condition: service_healthy`, so the check
#    brings up one service at a time), the import job completing once, the
#    commanders answered on the published ports, and a second `up` leaving
#    the data alone.
# 5. Kubernetes: every kustomization under deploy/k8s rendered with `kubectl
#    kustomize` and parsed; the timeline's Deployment and the catalog
#    StatefulSet's Pod template played with `podman kube play` (which has no
#    StatefulSets), probes included, answering the same questions.
# Exits 0 when all of that holds, 1 on a failure, 77 when podman cannot run
# containers on this machine (the message says why).
#
#   deploy/rootfs/podman-check.sh [--build-dir=DIR] [--work-dir=DIR]
#                                 [--only=image|run|compose|k8s]...
#                                 [--dockerfile=FILE --tag=IMAGE]
#
# --dockerfile and --tag build and run another Dockerfile (the test that
# the check catches a broken image uses them); compose.yaml and the
# manifests always use annals:dev.
#
# The host's `annals` CLI comes from --build-dir ($ANNALS_BUILD_DIR, or
# ./build). Work files go to --work-dir (default BUILD_DIR/deploy-podman):
# logs/, podman's storage (images and the build cache survive between runs,
# so a rerun rebuilds only what changed), and the cached base. Needs root and
# the Debian archive; installs podman, runc, podman-compose, debootstrap and
# python3-yaml if they are missing. The Kubernetes step needs kubectl 1.22
# or later on PATH (kustomize's `labels:`): Debian 12's kubernetes-client is
# 1.20, too old. The compose step
# publishes the fixed ports compose.yaml names (7401, 7402, 9401, 9402 on
# 127.0.0.1): stop deploy/dev/run first.
set -euo pipefail

self="$(readlink -f "${BASH_SOURCE[0]}")"
root="$(cd "$(dirname "$self")/../.." && pwd)"
suite="bookworm"
uid=10001
started="$(date +%s)"
log() { printf '[%4ds] %s\n' "$(($(date +%s) - started))" "$*"; }
fail() {
  printf '[%4ds] FAIL: %s\n' "$(($(date +%s) - started))" "$*" >&2
  exit 1
}
skip() {
  printf 'SKIP: %s\n' "$*" >&2
  exit 77
}

build_dir="${ANNALS_BUILD_DIR:-$root/build}"
work_dir=""
dockerfile="$root/deploy/Dockerfile"
image=localhost/annals:dev
only=()
for arg in "$@"; do
  case "$arg" in
    --build-dir=*) build_dir="${arg#*=}" ;;
    --work-dir=*) work_dir="${arg#*=}" ;;
    --only=*) only+=("${arg#*=}") ;;
    --dockerfile=*) dockerfile="$(readlink -f "${arg#*=}")" ;;
    --tag=*) image="${arg#*=}" ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$self" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) fail "unknown argument $arg (see --help)" ;;
  esac
done
wants() {
  [ "${#only[@]}" -eq 0 ] && return 0
  local part
  for part in "${only[@]}"; do [ "$part" = "$1" ] && return 0; done
  return 1
}
work_dir="${work_dir:-$build_dir/deploy-podman}"
cli="$build_dir/clients/cli/annals"

[ "$(id -u)" -eq 0 ] || skip "needs root (podman with runc and cgroupfs, debootstrap)"
[ -x "$cli" ] || fail "$cli is not built"
mkdir -p "$work_dir"
work_dir="$(cd "$work_dir" && pwd)"
logs="$work_dir/logs"
# shellcheck source=deploy/rootfs/base.sh
source "$(dirname "$self")/base.sh"
safe_rm "$logs"
mkdir -p "$logs"

# ---- Tools ------------------------------------------------------------------
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v podman-compose >/dev/null 2>&1 || missing+=(podman-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"; } >"$logs/apt.log" 2>&1 ||
    skip "could not install ${missing[*]}: $(tail -n 3 "$logs/apt.log")"
fi

# The settings this kind of machine needs (and that do no harm elsewhere):
# runc (crun refuses a hybrid cgroup layout), cgroupfs (no systemd), no
# default ulimits (raising a limit is not permitted), and podman's storage in
# the work folder, apart from the host's.
nofile="$(ulimit -Hn)"
nproc=4096
if [ "$(ulimit -Hu)" != unlimited ] && [ "$(ulimit -Hu)" -lt "$nproc" ]; then
  nproc="$(ulimit -Hu)"
fi
cat >"$work_dir/containers.conf" <<CONF
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
cat >"$work_dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$work_dir/storage"
runroot = "$work_dir/run"
CONF
# Without systemd, podman cannot schedule health checks by timers (the
# check runs them itself: podman healthcheck run) and says so on every
# container start and stop; those lines are dropped.
podman() {
  command podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2)
}
export CONTAINERS_CONF="$work_dir/containers.conf"
export CONTAINERS_STORAGE_CONF="$work_dir/storage.conf"
limits=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")

# podman's storage (containers, pods, volumes, secrets) is this check's own,
# so everything in it is removed before and after; networks are the host's,
# and this check's are named annals-check*.
cleanup() {
  podman pod rm -af -t 2 >/dev/null 2>&1 || true
  podman rm -af -t 2 >/dev/null 2>&1 || true
  podman volume rm -af >/dev/null 2>&1 || true
  podman network ls --format '{{.Name}}' 2>/dev/null | grep '^annals-check' |
    xargs -r podman network rm -f >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

# ---- 1. The base image --------------------------------------------------------
# The base deploy/rootfs/check.sh caches, shared.
base_dir="$build_dir/deploy-rootfs"
mkdir -p "$base_dir"
choose_base "$base_dir"
if ! podman info >"$logs/podman-info.txt" 2>&1; then
  skip "podman does not start here: $(tail -n 3 "$logs/podman-info.txt")"
fi
make_base "$base_tar" "$work_dir/staging"
image_key="$({
  printf '%s\n' "$base_key" "$security"
  declare -f write_image_sources
} | key_of)"
have_key="$(podman image inspect --format '{{index .Labels "annals.base"}}' \
  docker.io/library/debian:bookworm 2>/dev/null || true)"
if [ "$have_key" != "$image_key" ]; then
  log "importing the base as debian:bookworm and debian:bookworm-slim"
  staging="$work_dir/staging"
  safe_rm "$staging"
  mkdir -p "$staging"
  tar --numeric-owner -C "$staging" -xf "$base_tar"
  write_image_sources "$staging"
  : >"$staging/etc/resolv.conf"
  tar --numeric-owner -C "$staging" -cf "$work_dir/image-base.tar" .
  safe_rm "$staging"
  podman import --change 'CMD ["bash"]' --change "LABEL annals.base=$image_key" \
    "$work_dir/image-base.tar" docker.io/library/debian:bookworm >"$logs/import.log" 2>&1 ||
    fail "podman import failed: $(tail -n 5 "$logs/import.log")"
  rm -f "$work_dir/image-base.tar"
  podman tag docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
fi
probe="$(podman run --rm --network none "${limits[@]}" docker.io/library/debian:bookworm \
  echo container-ok 2>&1 || true)"
[ "$probe" = container-ok ] || skip "podman cannot run a container here: $probe"

# ---- 2. The image -------------------------------------------------------------
if wants image || wants run || wants compose || wants k8s; then
  log "podman build -f ${dockerfile#"$root"/} -t $image (both stages; log: $logs/build.log)"
  # --format docker keeps HEALTHCHECK, as `docker build` does (OCI images
  # have no such field). The ignore file is the one BuildKit reads beside
  # the Dockerfile.
  podman build --pull=never --format docker "${limits[@]}" \
    --ignorefile "$root/deploy/Dockerfile.dockerignore" \
    -f "$dockerfile" -t "$image" "$root" >"$logs/build.log" 2>&1 ||
    fail "podman build failed: $(tail -n 25 "$logs/build.log")"
  log "built $image ($(podman image inspect --format '{{.Size}}' "$image" |
    awk '{ printf "%.0f MB", $1 / 1e6 }'))"
  user="$(podman image inspect --format '{{.Config.User}}' "$image")"
  [ "$user" = "$uid:$uid" ] || fail "the image runs as '$user', not $uid:$uid"
  health="$(podman image inspect --format '{{json .Config.Healthcheck}}' "$image")"
  case "$health" in *annals-healthcheck*) ;; *) fail "the image declares no health check ($health)" ;; esac
fi

# The published host port of a container's port.
published() { podman port "$1" "$2/tcp" | head -n 1 | sed 's/.*://'; }

# Waits up to $2 s for a container to be healthy by its declared check,
# running the check as the engine's timer would.
await_healthy() {
  local name="$1" limit="$2" status
  for _ in $(seq 1 "$limit"); do
    if podman healthcheck run "$name" >/dev/null 2>&1; then
      status="$(podman inspect --format '{{.State.Health.Status}}' "$name" 2>/dev/null ||
        podman inspect --format '{{.State.Healthcheck.Status}}' "$name")"
      [ "$status" = healthy ] && return 0
    fi
    [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] ||
      fail "$name exited: $(podman logs --tail 10 "$name" 2>&1)"
    sleep 1
  done
  fail "$name not healthy within $limit s: $(podman logs --tail 10 "$name" 2>&1)"
}

# The commanders of NMI as the timeline at $1 lists them, once it has
# applied catalog sequence $2; fails unless all seven are there.
check_commanders() {
  local address="$1" sequence="$2" out
  out="$("$cli" --timeline="$address" --min-sequence="$sequence" --timeout=30 \
    --json history nmi --predicate=commander 2>&1)" ||
    fail "annals history through $address failed: $out"
  local name
  for name in dany-fortin jennie-carignan per-olsen michael-lollesgaard \
    giovanni-maria-iannucci jose-antonio-aguero-martinez lucas-schreurs; do
    grep -q "\"entities/$name\"" <<<"$out" || fail "$name missing from the commanders at $address:
$out"
  done
  log "  the seven commanders, through $address"
}

# Stops a container with SIGTERM (`podman stop`) and checks it ended by
# itself, with exit status 0, well within the grace.
check_stop() {
  local name="$1" grace=20 begun elapsed code
  begun="$(date +%s)"
  podman stop -t "$grace" "$name" >/dev/null
  elapsed=$(($(date +%s) - begun))
  code="$(podman inspect --format '{{.State.ExitCode}}' "$name")"
  [ "$code" = 0 ] || fail "$name exited $code on SIGTERM: $(podman logs --tail 5 "$name" 2>&1)"
  [ "$elapsed" -lt "$grace" ] || fail "$name needed the whole $grace s grace (SIGKILL)"
  log "  $name: SIGTERM, exit 0 after ${elapsed}s"
}

# The sequence an `annals import` printed ("... catalog sequence N").
sequence_of() { sed -n 's/.*catalog sequence \([0-9]*\).*/\1/p' <<<"$1" | tail -n 1; }

# ---- 3. The image run as users run it ----------------------------------------
if wants run; then
  log "running the image: catalog and timeline on network annals-check"
  podman network create annals-check >/dev/null
  run=(podman run -d "${limits[@]}" --network annals-check)
  "${run[@]}" --name annals-check-catalog --network-alias catalog \
    -v annals-check-data:/var/lib/annals -p 127.0.0.1::7401 -p 127.0.0.1::9401 \
    "$image" >/dev/null
  "${run[@]}" --name annals-check-timeline -e ANNALS_METRICS_LISTEN=0.0.0.0:9402 \
    -p 127.0.0.1::7402 -p 127.0.0.1::9402 \
    "$image" annals-timeline --listen=0.0.0.0:7402 --catalog=catalog:7401 >/dev/null
  await_healthy annals-check-catalog 90
  await_healthy annals-check-timeline 90
  for name in annals-check-catalog annals-check-timeline; do
    running_uid="$(podman exec "$name" sh -c 'awk "/^Uid:/ { print \$2 }" /proc/1/status')"
    [ "$running_uid" = "$uid" ] || fail "$name runs as uid $running_uid, not $uid"
  done
  log "  both healthy by the image's HEALTHCHECK, as uid $uid"
  catalog_port="$(published annals-check-catalog 7401)"
  timeline_port="$(published annals-check-timeline 7402)"
  metrics_port="$(published annals-check-catalog 9401)"
  exec 3<>"/dev/tcp/127.0.0.1/$metrics_port" &&
    printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && metrics="$(cat <&3)" && exec 3<&-
  grep -q '^annals_catalog_writable 1' <<<"$metrics" ||
    fail "the catalog's metrics on 127.0.0.1:$metrics_port lack annals_catalog_writable 1"

  log "the NATO import job"
  imported="$(podman run --rm "${limits[@]}" --network annals-check \
    -e ANNALS_CATALOG=catalog:7401 "$image" \
    annals import /usr/share/annals/data/nmi 2>&1)" || fail "the import job failed: $imported"
  sequence="$(sequence_of "$imported")"
  [ -n "$sequence" ] || fail "the import job printed no sequence: $imported"
  check_commanders "127.0.0.1:$timeline_port" "$sequence"
  entities="$("$cli" --catalog="127.0.0.1:$catalog_port" --json list entities --all | wc -l)"
  [ "$entities" -gt 20 ] || fail "only $entities entities through 127.0.0.1:$catalog_port"

  check_stop annals-check-timeline
  check_stop annals-check-catalog
  owner="$(podman run --rm "${limits[@]}" --network none -v annals-check-data:/data \
    --entrypoint sh "$image" -c 'find /data -mindepth 1 ! -uid 10001 | head -n 1')"
  [ -z "$owner" ] || fail "$owner in the data volume is not owned by uid $uid"
  podman start annals-check-catalog >/dev/null
  await_healthy annals-check-catalog 90
  catalog_port="$(published annals-check-catalog 7401)"
  again="$("$cli" --catalog="127.0.0.1:$catalog_port" --json list entities --all | wc -l)"
  [ "$again" -eq "$entities" ] ||
    fail "after a restart on the same volume the catalog lists $again entities, not $entities"
  log "  restarted on its volume: the same $entities entities"
  podman rm -f annals-check-catalog annals-check-timeline >/dev/null
  podman volume rm annals-check-data >/dev/null
  podman network rm annals-check >/dev/null
fi

# ---- 4. Compose ---------------------------------------------------------------
if wants compose; then
  for port in 7401 7402 9401 9402; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      fail "127.0.0.1:$port is in use (deploy/dev/run?); compose.yaml publishes it"
    fi
  done
  log "podman-compose -f deploy/compose.yaml (project annals-check; log: $logs/compose.log)"
  compose=(podman-compose -p annals-check -f "$root/deploy/compose.yaml")
  # podman-compose passes these to every `podman run`.
  compose_up() {
    "${compose[@]}" --podman-run-args="${limits[*]}" up -d "$@" >>"$logs/compose.log" 2>&1 ||
      fail "podman-compose up $* failed: $(tail -n 15 "$logs/compose.log")"
  }
  # Dependency order, each service's health awaited: catalog, timeline (and
  # the import job, which needs only the catalog).
  compose_up --no-deps catalog
  await_healthy annals-check_catalog_1 90
  compose_up --no-deps timeline
  compose_up --no-deps import-nmi
  await_healthy annals-check_timeline_1 90
  for _ in $(seq 1 60); do
    [ "$(podman inspect --format '{{.State.Running}}' annals-check_import-nmi_1)" = false ] && break
    sleep 1
  done
  code="$(podman inspect --format '{{.State.ExitCode}}' annals-check_import-nmi_1)"
  job="$(podman logs annals-check_import-nmi_1 2>&1)"
  [ "$code" = 0 ] || fail "the compose import job exited $code: $job"
  sequence="$(sequence_of "$job")"
  [ -n "$sequence" ] || fail "the compose import job imported nothing: $job"
  check_commanders 127.0.0.1:7402 "$sequence"
  log "a second up: the data is left alone"
  compose_up --no-deps import-nmi
  for _ in $(seq 1 60); do
    [ "$(podman inspect --format '{{.State.Running}}' annals-check_import-nmi_1)" = false ] && break
    sleep 1
  done
  second="$(podman logs annals-check_import-nmi_1 2>&1)"
  grep -q "already holds data" <<<"$second" ||
    fail "the second import job did not leave the data alone: $second"
  # The feed after the first import's sequence stays empty (watch follows
  # the feed until stopped).
  after="$(timeout 3 "$cli" --catalog=127.0.0.1:7401 --json watch --after="$sequence" \
    2>/dev/null || true)"
  [ -z "$after" ] || fail "the second up changed the catalog after sequence $sequence: $after"
  log "  the second import job left the catalog at sequence $sequence"
  check_stop annals-check_timeline_1
  check_stop annals-check_catalog_1
  "${compose[@]}" down -v >>"$logs/compose.log" 2>&1 || true
fi

# ---- 5. Kubernetes ------------------------------------------------------------
if wants k8s; then
  # deploy/k8s uses kustomize's `labels:` (kustomize 4.2, kubectl 1.22 and
  # later); Debian 12's own kubernetes-client is 1.20.
  command -v kubectl >/dev/null 2>&1 ||
    fail "the Kubernetes step needs kubectl 1.22 or later on PATH"
  minor="$(kubectl version --client -o json 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["clientVersion"]["minor"].rstrip("+"))')" ||
    fail "cannot read kubectl's version"
  [ "$minor" -ge 22 ] ||
    fail "kubectl 1.$minor bundles a kustomize older than 4.2, which cannot read deploy/k8s (labels:); put kubectl 1.22 or later on PATH"
  log "kubectl kustomize: every kustomization under deploy/k8s"
  # Parses rendered YAML; prints how many objects, each with an apiVersion,
  # a kind and a name.
  count_objects="$(
    cat <<'PY'
import sys, yaml
documents = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in documents:
    assert d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name"), d
print(len(documents))
PY
  )"
  rendered=0
  while IFS= read -r kustomization; do
    dir="$(dirname "$kustomization")"
    out="$logs/k8s-$(echo "${dir#"$root"/}" | tr / -).yaml"
    kubectl kustomize "$dir" >"$out" 2>"$out.err" ||
      fail "kubectl kustomize ${dir#"$root"/} failed: $(cat "$out.err")"
    objects="$(python3 -c "$count_objects" "$out")" ||
      fail "${dir#"$root"/} does not render to valid objects"
    log "  ${dir#"$root"/}: $objects objects"
    rendered=$((rendered + 1))
  done < <(find "$root/deploy/k8s" -name kustomization.yaml | sort)
  [ "$rendered" -gt 0 ] || fail "no kustomization under deploy/k8s"
  log "  $rendered kustomizations render"

  log "podman kube play: the catalog's Pod template and the timeline's Deployment"
  play="$work_dir/play"
  safe_rm "$play"
  kubectl kustomize "$root/deploy/k8s" |
    python3 "$(dirname "$self")/kube_play.py" "$play" annals-check-k8s-data 1 "$play/secrets" ||
    fail "could not turn the manifests into pods"
  # The image the manifests name ("annals:dev" after kustomize's images:).
  grep -q "image: annals:dev" "$play/catalog.yaml" ||
    fail "the manifests do not name annals:dev: $(grep image: "$play/catalog.yaml")"
  # The Secret the manifests mount (kubectl create secret generic
  # annals-token --from-file=token), as kube_play.py hands it to podman: a
  # folder with the Secret's file, readable by the pod's group (fsGroup).
  token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  printf '%s' "$token" >"$work_dir/token"
  secrets="$play/secrets"
  install -d -m 0755 "$secrets/annals-token"
  install -m 0440 -g "$uid" "$work_dir/token" "$secrets/annals-token/token"
  podman network create annals-check-k8s >/dev/null
  kube_play() {
    podman kube play --network annals-check-k8s "$1" >>"$logs/kube-play.log" 2>&1 ||
      fail "podman kube play $(basename "$1") failed: $(tail -n 15 "$logs/kube-play.log")"
  }
  kube_play "$play/catalog.yaml"
  kube_play "$play/timeline.yaml"
  # The containers podman made, and their addresses on the pods' network.
  container_of() {
    podman ps -a --filter "label=app.kubernetes.io/name=$1" --format '{{.Names}}' |
      grep -v -- '-infra$' | head -n 1
  }
  address_of() {
    podman inspect --format '{{(index .NetworkSettings.Networks "annals-check-k8s").IPAddress}}' \
      "$1"
  }
  catalog_container="$(container_of annals-catalog)"
  timeline_container="$(container_of annals-timeline)"
  [ -n "$catalog_container" ] && [ -n "$timeline_container" ] ||
    fail "kube play made no containers: $(podman ps -a --format '{{.Names}}')"
  catalog_ip="$(address_of "$catalog_container")"
  timeline_ip="$(address_of "$timeline_container")"
  log "  pods: $catalog_container at $catalog_ip, $timeline_container at $timeline_ip"
  # Each gRPC probe of the manifests, asked as the kubelet would ask it.
  probe_all() {
    python3 - "$play/probes.json" <<'PY'
import json, sys
for pod, containers in json.load(open(sys.argv[1])).items():
    for container, probes in containers.items():
        for kind, probe in probes.items():
            grpc = probe.get("grpc")
            if grpc is None:
                raise SystemExit(f"{pod}/{container} {kind}: not a gRPC probe")
            print(pod, kind, grpc["port"], grpc.get("service", ""))
PY
  }
  probes="$(probe_all)" || fail "$probes"
  for _ in $(seq 1 90); do
    failing=""
    while read -r pod kind port service; do
      ip="$catalog_ip"
      [ "$pod" = timeline ] && ip="$timeline_ip"
      named=()
      [ -z "$service" ] || named=(--service="$service")
      answer="$("$cli" --timeout=3 --catalog="$ip:$port" health catalog "${named[@]}" \
        2>&1 </dev/null)" ||
        failing="$pod $kind (port $port, service '$service'): $answer"
    done <<<"$probes"
    [ -z "$failing" ] && break
    sleep 1
  done
  [ -z "$failing" ] || fail "the $failing probe does not pass:
$(podman logs --tail 10 "$timeline_container" 2>&1)"
  log "  every probe of the manifests passes ($(wc -l <<<"$probes") probes)"
  for container in "$catalog_container" "$timeline_container"; do
    running_uid="$(podman exec "$container" sh -c 'awk "/^Uid:/ { print \$2 }" /proc/1/status')"
    [ "$running_uid" = "$uid" ] || fail "$container runs as uid $running_uid, not $uid"
    [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$container")" = true ] ||
      fail "$container's root file system is writable; the manifests make it read-only"
  done
  imported="$("$cli" --catalog="$catalog_ip:7401" --token_file="$work_dir/token" \
    import "$root/data/nmi" 2>&1)" || fail "import into the kube-played catalog failed: $imported"
  if "$cli" --catalog="$catalog_ip:7401" import "$root/data/nmi" >/dev/null 2>&1; then
    fail "the kube-played catalog took a write without the token"
  fi
  check_commanders "$timeline_ip:7402" "$(sequence_of "$imported")"
  check_stop "$timeline_container"
  check_stop "$catalog_container"
  podman kube down "$play/timeline.yaml" >/dev/null 2>&1 || true
  podman kube down "$play/catalog.yaml" >/dev/null 2>&1 || true
fi
log "PASS"
