#!/usr/bin/env bash
# Builds the sandbox's bubblewrap as one static executable: tools/bwrap/build.sh DEST
#
# Why: Debian's /usr/bin/bwrap is linked against libselinux, libpcre2, libcap and libc; loading
# and relocating them, and the copy-on-write faults they cause in bwrap's cloned child, cost about
# 3 ms of CPU per box on our virtual machines (docs/performance.md). The same source, built static
# without SELinux support (Debian's hosts do not enforce SELinux), costs none of that. bwrap is not
# setuid here: it runs as the slot's uid, so the binary gains no privilege by being ours.
#
# The source is Debian's release tarball, pinned by bwrap.lock (URL and SHA-256; a mismatch is
# fatal). Needs: curl, xz-utils, gcc, make, pkg-config, libcap-dev (./rce installs them).
# Writes DEST atomically; prints nothing on stdout.
set -euo pipefail

dest=${1:?usage: build.sh DEST}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC1091
. <(grep -E '^(version|url|sha256)=' "$here/bwrap.lock")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

curl -sSfL --retry 3 -o "$work/src.tar.xz" "$url"
echo "$sha256  $work/src.tar.xz" | sha256sum -c --quiet - >&2
tar -xJf "$work/src.tar.xz" -C "$work"
cd "$work/bubblewrap-$version"
./configure --disable-selinux --disable-man --with-bash-completion-dir=no --with-zsh-completion-dir=no >"$work/configure.log" 2>&1 \
  || { tail -n 20 "$work/configure.log" >&2; exit 1; }
make -j"$(nproc)" LDFLAGS=-static bwrap >"$work/make.log" 2>&1 || { tail -n 20 "$work/make.log" >&2; exit 1; }
strip bwrap
./bwrap --version | grep -qx "bubblewrap $version" || { echo "build.sh: the built bwrap does not report $version" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
install -m 0755 bwrap "$dest.tmp.$$"
mv -f "$dest.tmp.$$" "$dest"
