#!/usr/bin/env bash
# deploy/runtime-packages.txt names exactly the Debian packages that provide
# the shared libraries the built binaries need directly (their NEEDED
# entries), as this machine's dpkg knows them: nothing missing, nothing extra.
# A binary that gains a library (a new dependency) fails this test until the
# list, and so the image, gains its package.
#
#   runtime_packages_test.sh PACKAGE_LIST BINARY...
set -euo pipefail
list="$1"
shift

words() { tr '\n' ' ' <<<"$1"; }
listed() { sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$1" | sort -u; }

# The libraries the binaries name directly, as "SONAME PATH" lines (the path
# ldd resolves on this machine).
libraries() {
  local binary resolved soname path
  for binary in "$@"; do
    resolved="$(ldd "$binary")"
    while read -r soname; do
      path="$(awk -v s="$soname" '$1 == s && $2 == "=>" { print $3 }' <<<"$resolved")"
      if [ -z "$path" ] || [ "$path" = "not" ]; then
        echo "$binary: $soname not found on this machine" >&2
        return 1
      fi
      echo "$soname $path"
    done < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  done | sort -u
}

# The packages owning those libraries, from one dpkg-query call. With
# usrmerge dpkg may know a library under /lib or /usr/lib, so each path is
# asked in every spelling.
owners() {
  local libs="$1" soname path candidates=() owned
  while read -r soname path; do
    candidates+=("$path" "$(readlink -f "$path")" "/usr${path#/usr}" "${path#/usr}")
  done <<<"$libs"
  owned="$(dpkg-query -S "${candidates[@]}" 2>/dev/null || true)"
  while read -r soname path; do
    local package
    package="$(awk -v a="$path" -v b="$(readlink -f "$path")" \
                   -v c="/usr${path#/usr}" -v d="${path#/usr}" '
        /^diversion / { next }
        { p = $NF; sub(/: [^ ]*$/, "") }
        p == a || p == b || p == c || p == d { sub(/:.*/, ""); print; exit }' \
      <<<"$owned")"
    if [ -z "$package" ]; then
      echo "no Debian package owns $soname ($path)" >&2
      return 1
    fi
    echo "$package"
  done <<<"$libs" | sort -u
}

# Prints how `list` differs from the packages in `needed`; fails if it does.
compare() {
  local list="$1" needed="$2" missing extra
  missing="$(comm -13 <(listed "$list") <(echo "$needed"))"
  extra="$(comm -23 <(listed "$list") <(echo "$needed"))"
  [ -z "$missing" ] || echo "needed but not listed in $list: $(words "$missing")"
  [ -z "$extra" ] || echo "listed in $list but not needed: $(words "$extra")"
  [ -z "$missing" ] && [ -z "$extra" ]
}

libs="$(libraries "$@")"
needed="$(owners "$libs")"
if ! compare "$list" "$needed"; then
  echo "The binaries need exactly these packages:"
  echo "$needed"
  exit 1
fi

# The comparison can fail: a list missing its first package is caught.
scratch="$(mktemp)"
trap 'rm -f "$scratch"' EXIT
listed "$list" | tail -n +2 >"$scratch"
if compare "$scratch" "$needed" >/dev/null; then
  echo "a list without $(listed "$list" | head -n 1) was accepted"
  exit 1
fi
echo "$list names the $(wc -l <<<"$needed") packages that provide the" \
  "$(wc -l <<<"$libs") libraries the binaries need: $(words "$needed")"
