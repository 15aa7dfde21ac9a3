# Sourced by deploy/rootfs/check.sh and deploy/rootfs/podman-check.sh: the
# Debian 12 base both start from, made with debootstrap and cached as a
# tarball, so that the chroot proof and the real image build share it.
# The sourcing script defines log and fail.

# Removes a folder the script made, refusing if anything is mounted inside it
# (rm would otherwise reach into, say, a bind-mounted /dev).
safe_rm() {
  local dir="$1"
  [ -e "$dir" ] || return 0
  if awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { found = 1 }
                      END { exit !found }' /proc/self/mountinfo; then
    fail "something is still mounted under $dir; not removing it"
  fi
  rm -rf --one-file-system "$dir"
}

# The first URI that apt's sources give for `suite` (deb822 .sources files
# and one-line .list files), or `fallback`.
apt_uri() {
  local want="$1" fallback="$2" uri
  uri="$(
    {
      for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        awk -v s="$want" '$1 == "deb" {
            i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
            if ($(i + 1) == s) { print $i; exit } }' "$file"
      done
      for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk -v s="$want" '
          function flush() {
            if (types ~ /(^| )deb( |$)/ && enabled != "no" &&
                (" " suites " ") ~ (" " s " ")) { split(uris, u, " "); print u[1] }
            types = ""; suites = ""; uris = ""; enabled = "" }
          /^[[:space:]]*$/ { flush(); next }
          /^#/ { next }
          tolower($1) == "types:" { $1 = ""; types = $0 }
          tolower($1) == "uris:" { $1 = ""; uris = $0 }
          tolower($1) == "suites:" { $1 = ""; suites = $0 }
          tolower($1) == "enabled:" { enabled = tolower($2) }
          END { flush() }' "$file"
      done
    } | grep -E '^https?://' | head -n 1
  )" || true
  echo "${uri:-$fallback}"
}

key_of() { sha256sum | cut -c1-16; }

# Sets mirror and security (the archives this machine's apt uses, or
# ANNALS_DEBIAN_MIRROR), base_key, and base_tar: the cached base's path in
# the work folder $1.
choose_base() {
  mirror="${ANNALS_DEBIAN_MIRROR:-$(apt_uri "$suite" http://deb.debian.org/debian)}"
  security="$(apt_uri "$suite-security" http://deb.debian.org/debian-security)"
  mirror="${mirror%/}"
  security="${security%/}"
  base_key="$(printf '%s\n' "$suite" minbase "$mirror" | key_of)"
  base_tar="$1/base-$base_key.tar"
}

# Makes `base_tar` (unless it exists): debootstrap --variant=minbase of
# $suite from $mirror, in the staging folder `staging`, then tarred.
make_base() {
  local base_tar="$1" staging="$2"
  [ -f "$base_tar" ] && return 0
  log "debootstrap --variant=minbase $suite from $mirror (minutes; log: $logs/debootstrap.log)"
  safe_rm "$staging"
  local include=()
  case "$mirror" in https:*) include=(--include=ca-certificates) ;; esac
  debootstrap --variant=minbase "${include[@]}" "$suite" "$staging" "$mirror" \
    >"$logs/debootstrap.log" 2>&1 ||
    fail "debootstrap failed: $(tail -n 20 "$logs/debootstrap.log")"
  rm -f "$(dirname "$base_tar")"/base-*.tar
  tar --numeric-owner -C "$staging" -cf "$base_tar.partial" .
  mv "$base_tar.partial" "$base_tar"
  safe_rm "$staging"
  log "cached the base as $base_tar ($(du -sh "$base_tar" | cut -f1))"
}

# Writes the apt sources of Debian's official bookworm images into the root
# file system `dir`: the mirror (with -updates) and the security archive.
write_image_sources() {
  local dir="$1"
  rm -f "$dir/etc/apt/sources.list"
  mkdir -p "$dir/etc/apt/sources.list.d"
  cat >"$dir/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
}
