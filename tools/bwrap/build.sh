#!/usr/bin/env bash
# Builds the sandbox's bubblewrap as one static executable: tools/bwrap/build.sh DEST
#
# Why: Debian's /usr/bin/bwrap is linked against libselinux, libpcre2, libcap and libc; loading
# and relocating them, and the copy-on-write faults they cause in bwrap's cloned child, cost about
# 3 ms of CPU per box on our virtual machines (docs/performance.md). The same source, built static
# without SELinux support (Debian's hosts do not enforce SELinux), costs none of that. bwrap is not
# setuid here: it runs as the slot's uid, so the binary gains no privilege by being ours.
#
# The source is Debian's release tarball, pinned by bwrap.lock (pool path and SHA-256; a mismatch
# is fatal), fetched from the machine's own apt mirrors first (CI and runner hosts may reach only
# those), then from deb.debian.org. Needs: curl, xz-utils, gcc, make, pkg-config, libcap-dev
# (./rce installs them). Writes DEST atomically; prints nothing on stdout; exits non-zero when no
# mirror has the tarball or the build fails.
set -euo pipefail

dest=${1:?usage: build.sh DEST}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC1091
. <(grep -E '^(version|path|sha256)=' "$here/bwrap.lock")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Debian archive mirrors known to apt (deb822 .sources and one-line sources.list), then the default.
mirrors() {
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | sed 's/^URIs://' | tr ' ' '\n'
    grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed -E 's/\[[^]]*\]//' | awk '{print $2}'
    echo http://deb.debian.org/debian
  } | grep -E '^https?://' | grep -v -- '-security' | awk '!seen[$0]++'
}
fetched=
for mirror in $(mirrors); do
  if curl -sSfL --retry 2 --connect-timeout 10 -o "$work/src.tar.xz" "${mirror%/}/$path" 2>/dev/null \
    && echo "$sha256  $work/src.tar.xz" | sha256sum -c --quiet - >/dev/null 2>&1; then
    fetched=$mirror
    break
  fi
done
[ -n "$fetched" ] || { echo "build.sh: no mirror served $path with SHA-256 $sha256" >&2; exit 1; }
echo "build.sh: bubblewrap $version source from $fetched" >&2
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
