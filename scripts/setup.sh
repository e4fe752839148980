#!/usr/bin/env bash
# GenRec machine setup. Idempotent: each step checks first and only acts when something is missing.
#
# 1. TorchSharp 0.107.0 (libtorch 2.10) needs a libstdc++ that exports GLIBCXX_3.4.32 (GCC 13+).
#    Ubuntu 24.04 and Debian 13 ship one; Debian 12 does not. On Debian 12 we add the trixie
#    suite with a low pin priority (100, so nothing else is upgraded from it) and install only
#    `libstdc++6` (and what apt says it needs) with `-t trixie`.
# 2. jemalloc (Debian `libjemalloc2`): libtorch on glibc malloc spends much of a large training
#    step in mmap/munmap; the launcher preloads jemalloc when it is present.
#
# 3. Open MPI (openmpi-bin) for data-parallel training; see ensure_openmpi.
#
# Prints what it does. Set GENREC_SETUP_QUIET=1 to print only actions, not checks.
set -euo pipefail

say() { echo "[genrec setup] $*" >&2; }
quiet() { [ "${GENREC_SETUP_QUIET:-0}" = "1" ]; }

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    say "need root for: $*  (run this script as root or install sudo)"; exit 1; fi
}

libstdcxx_path() {
  ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}'
}

has_glibcxx_3_4_32() {
  local lib; lib=$(libstdcxx_path)
  [ -n "$lib" ] && grep -aq 'GLIBCXX_3\.4\.32' "$lib"
}

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = "0" ]; then
    say "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
}

ensure_libstdcxx() {
  if has_glibcxx_3_4_32; then
    quiet || say "libstdc++ ($(libstdcxx_path)) exports GLIBCXX_3.4.32: ok"
    return
  fi
  say "libstdc++ ($(libstdcxx_path)) lacks GLIBCXX_3.4.32, which TorchSharp 0.107 (libtorch 2.10) needs."
  . /etc/os-release
  if [ "${ID:-}" != "debian" ]; then
    say "not Debian (${PRETTY_NAME:-unknown}): install a libstdc++6 from GCC 13 or newer yourself (Ubuntu 24.04 has one)."
    exit 1
  fi
  local sources=/etc/apt/sources.list.d/genrec-trixie.sources
  local pin=/etc/apt/preferences.d/genrec-trixie.pref
  if [ ! -f "$sources" ]; then
    say "adding Debian trixie as an apt source ($sources)"
    as_root tee "$sources" >/dev/null <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  if [ ! -f "$pin" ]; then
    say "pinning trixie at priority 100 ($pin): nothing is upgraded from it unless asked with -t trixie"
    as_root tee "$pin" >/dev/null <<'EOF'
Package: *
Pin: release n=trixie
Pin-Priority: 100
EOF
  fi
  apt_updated=0
  apt_update_once
  say "apt-get install -t trixie libstdc++6 (only that package and what it depends on)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie --no-install-recommends libstdc++6 >&2
  if has_glibcxx_3_4_32; then
    say "libstdc++ now exports GLIBCXX_3.4.32"
  else
    say "libstdc++6 from trixie installed, but GLIBCXX_3.4.32 is still missing"; exit 1
  fi
}

jemalloc_path() {
  ldconfig -p 2>/dev/null | awk '/libjemalloc\.so\.2 .*x86-64/ {print $NF; exit}'
}

ensure_jemalloc() {
  if [ -n "$(jemalloc_path)" ]; then
    quiet || say "jemalloc ($(jemalloc_path)): ok"
    return
  fi
  if command -v apt-get >/dev/null 2>&1; then
    apt_update_once
    say "apt-get install libjemalloc2 (faster allocator for libtorch)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libjemalloc2 >&2 \
      || say "libjemalloc2 could not be installed; the launcher falls back to glibc malloc tuning"
  else
    say "no apt-get: skipping jemalloc; the launcher falls back to glibc malloc tuning"
  fi
}

# 3. Open MPI (Debian's openmpi-bin: mpirun and libmpi.so.40) for data-parallel training (`mpirun -np N genrec train`)
#    and its tests. GenRec loads libmpi only under mpirun, so a machine without it trains in one process as before.
openmpi_path() {
  ldconfig -p 2>/dev/null | awk '/libmpi\.so\.40 .*x86-64/ {print $NF; exit}'
}

ensure_openmpi() {
  if [ -n "$(openmpi_path)" ] && command -v mpirun >/dev/null 2>&1; then
    quiet || say "Open MPI ($(openmpi_path)): ok"
    return
  fi
  if command -v apt-get >/dev/null 2>&1; then
    apt_update_once
    say "apt-get install openmpi-bin (mpirun and libmpi, for data-parallel training)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openmpi-bin >&2
  else
    say "no apt-get: install Open MPI yourself for data-parallel training (mpirun, libmpi.so.40)"
  fi
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    say "dotnet not found: install the .NET 10 SDK (https://dot.net) and run again"; exit 1
  fi
  local major; major=$(dotnet --version | cut -d. -f1)
  if [ "$major" -lt 10 ]; then say "dotnet $(dotnet --version) found; GenRec needs the .NET 10 SDK"; exit 1; fi
  quiet || say "dotnet $(dotnet --version): ok"
}

ensure_dotnet
ensure_libstdcxx
ensure_jemalloc
ensure_openmpi
