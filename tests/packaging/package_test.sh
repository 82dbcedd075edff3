#!/usr/bin/env bash
# The Debian package end to end: build the .deb from the build tree with
# cpack, install it with its dependencies into a fresh Debian 12 root
# (debootstrap --variant=minbase, cached), and inside that root run
# bulkhead --version, --list-plugins and a few seconds of the bundled demo:
# alerts must appear and the crashing plugin must be restarted. Prints the
# .deb's size and how long installing and running took.
#
#   package_test.sh <source dir> <build dir>
#
# Needs root (chroot, mount) and debootstrap; exits 77 (skipped) without
# them. The pristine root is kept in $BULKHEAD_TEST_CACHE (default
# /var/cache/bulkhead-test) together with the downloaded .debs, so only
# the first run fetches the base system; each run installs into a copy.
set -euo pipefail

src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root for chroot and mount"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
command -v cpack >/dev/null || skip "cpack is not installed"
command -v dpkg-shlibdeps >/dev/null || skip "dpkg-shlibdeps is not installed (apt-get install dpkg-dev)"
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake missing: configure the build first"

cache=${BULKHEAD_TEST_CACHE:-/var/cache/bulkhead-test}
base=$cache/bookworm-minbase
# The Debian mirror apt uses here (first URI of the sources), so that a
# machine whose only way out is that mirror can still bootstrap.
mirror=${BULKHEAD_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
           awk '/^URIs:/ && /debian\/?$/ {print $2; exit}')
fi
if [ -z "$mirror" ]; then
  mirror=$(grep -hs '^deb ' /etc/apt/sources.list | awk '$2 ~ /debian\/?$/ {print $2; exit}')
fi
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d /tmp/bulkhead-package-test.XXXXXX)
root=$work/root
mounts=()
cleanup() {
  local m i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    m=${mounts[i]}
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  # Never delete through a mount that is still there.
  if findmnt -rn -o TARGET | grep -q "^$work"; then
    echo "left $work in place: something is still mounted under it" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# 1. The package, into a folder of its own (the build tree stays as it was).
t0=$(now)
(cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/deb/bulkhead_*.deb)
deb_bytes=$(stat -c %s "$deb")
echo "package: $(basename "$deb"), $deb_bytes bytes ($((deb_bytes / 1024)) KiB), built in $(since "$t0") s"
dpkg-deb -I "$deb" | sed -n 's/^ \(Depends\|Installed-Size\):/\1:/p'

# What it holds: the paths bulkhead looks in, the unit, the manual, the
# completion, the config as a conffile.
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/contents"
for f in /usr/bin/bulkhead /usr/libexec/bulkhead/bulkhead-runner \
         /usr/libexec/bulkhead/libbulkhead_proxy.so /usr/share/bulkhead/policies/default.yaml /usr/share/bulkhead/policies/network.yaml \
         /usr/share/man/man8/bulkhead.8.gz /usr/share/bash-completion/completions/bulkhead \
         /usr/lib/systemd/system/bulkhead.service /etc/bulkhead/falco.yaml \
         /etc/bulkhead/config.d/ /etc/falco/rules.d/ /usr/share/falco/plugins/; do
  grep -qx "$f" "$work/contents" || fail "the package has no $f"
done
if grep -v '^/\(usr\|etc\)/\|^/$' "$work/contents" | grep -q .; then
  fail "the package installs outside /usr and /etc: $(grep -v '^/\(usr\|etc\)/\|^/$' "$work/contents" | head -3)"
fi
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/bulkhead/falco.yaml ||
  fail "/etc/bulkhead/falco.yaml is not a conffile"

# 2. A Debian 12 root: bootstrapped once, copied for every run.
if [ ! -x "$base/usr/bin/apt-get" ]; then
  echo "bootstrapping $base from $mirror (once)"
  mkdir -p "$cache"
  rm -rf "$base.partial"
  t0=$(now)
  debootstrap --variant=minbase bookworm "$base.partial" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; skip "debootstrap from $mirror failed (no mirror reachable?)"; }
  mv "$base.partial" "$base"
  echo "bootstrapped in $(since "$t0") s"
fi
cp -a "$base" "$root"
mkdir -p "$cache/archives/partial"
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount --bind /dev "$root/dev" && mounts+=("$root/dev")
mount --bind "$cache/archives" "$root/var/cache/apt/archives" &&
  mounts+=("$root/var/cache/apt/archives")
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp "$deb" "$root/tmp/bulkhead.deb"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# 3. Install with the dependencies the package declares.
t0=$(now)
# The mirror unreachable is the machine's matter, not the package's.
in_root apt-get update -qq >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; skip "apt-get update in the root failed (no mirror reachable?)"; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  /tmp/bulkhead.deb >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; fail "apt-get install failed"; }
install_s=$(since "$t0")
echo "installed with its dependencies in $install_s s"
in_root dpkg-query -W -f='${Status}\n' bulkhead | grep -q 'install ok installed' ||
  fail "dpkg does not list bulkhead as installed"

# 4. Run it from the root's PATH, in another working directory.
t0=$(now)
if in_root bulkhead --version >"$work/version.out" 2>&1; then
  grep -qiE 'bulkhead|version' "$work/version.out" || fail "--version printed: $(cat "$work/version.out")"
  echo "bulkhead --version: $(head -1 "$work/version.out")"
else
  # Builds without --version: --help shows the binary starts.
  in_root bulkhead --help >"$work/help.out" 2>&1 || fail "bulkhead --help failed: $(cat "$work/help.out")"
  grep -q -- '--list-plugins' "$work/help.out" || fail "--help printed: $(cat "$work/help.out")"
  echo "bulkhead --help: ok (no --version in this build)"
fi

# The packaged config loads (nothing configured yet).
in_root bulkhead -c /etc/bulkhead/falco.yaml --list-plugins >"$work/packaged.out" 2>&1 ||
  fail "the packaged /etc/bulkhead/falco.yaml does not load: $(cat "$work/packaged.out")"

# The bundled demo: the repository's falco.yaml and rules, the test plugins.
demo=/opt/bulkhead-demo
mkdir -p "$root$demo/plugins" "$root$demo/rules"
cp "$src/config/falco.yaml" "$root$demo/"
cp "$src"/config/rules/*.yaml "$root$demo/rules/"
for p in counter jsonx fault; do
  cp "$build/tests/plugins/lib$p.so" "$root$demo/plugins/" ||
    fail "test plugin lib$p.so not built (cmake --build $build --target bulkhead_test_plugins)"
done
# bulkhead runs in the root through pivot_root in a mount namespace of its
# own rather than chroot: the kernel refuses a user namespace to a chrooted
# process, and MS_PRIVATE on a / that is no mount point, so under chroot two
# of the runners' layers could not apply. /sys is the host's, as for an
# installed package: the runners' cgroups are made there.
# One process from here to bulkhead (exec all the way), so that timeout's
# SIGINT reaches bulkhead itself.
cat >"$work/in-root.sh" <<'SCRIPT'
root=$1; shift
exec unshare --mount --propagation private -- /bin/sh -c '
  set -e
  root=$1; shift
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  mkdir -p "$root/.host"
  cd "$root"
  pivot_root . .host
  exec /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 /bin/sh -c \
    "umount -l /.host && rmdir /.host && cd / && exec \"\$@\"" sh "$@"
' sh "$root" "$@"
SCRIPT
in_pivot() { sh "$work/in-root.sh" "$root" "$@"; }
demo_args=(-c "$demo/falco.yaml" -o "bulkhead.plugins_dir=$demo/plugins")

in_pivot bulkhead "${demo_args[@]}" --list-plugins >"$work/list.out" 2>"$work/list.err" ||
  fail "--list-plugins failed: $(cat "$work/list.err")"
grep -q '^3 Plugins Loaded' "$work/list.out" || fail "--list-plugins printed: $(cat "$work/list.out")"
for p in counter jsonx fault; do
  grep -q "^Name: $p\$" "$work/list.out" || fail "--list-plugins does not show $p"
done
[ "$(grep -c '^Isolation: process' "$work/list.out")" = 3 ] || fail "not every plugin was isolated"
echo "bulkhead --list-plugins: 3 plugins, each in its own runner"

# A few seconds of the demo: the fault plugin crashes after 60 batches at
# 20 a second, so 10 s see it crash and come back at least once. SIGINT
# is the Ctrl-C the README describes; the counters follow on stderr.
# log_level debug: every runner's sandbox layers, one by one.
timeout -s INT -k 10 10 sh "$work/in-root.sh" "$root" bulkhead "${demo_args[@]}" -o log_level=debug \
  >"$work/demo.out" 2>"$work/demo.err" || true
alerts=$(grep -c 'counter is alive' "$work/demo.out" || true)
[ "$alerts" -gt 0 ] || { tail -20 "$work/demo.err"; fail "no counter alert in 10 s of the demo"; }
grep -q 'restart 1 of' "$work/demo.err" ||
  { tail -20 "$work/demo.err"; fail "the fault plugin was not restarted in 10 s"; }
grep -q 'fault plugin is alive' "$work/demo.out" || fail "no alert from the fault source"
restarts=$(grep -c 'restart [0-9]* of' "$work/demo.err" || true)
echo "demo: $alerts counter alerts, $restarts restarts of the fault plugin in 10 s"
# The installed runner sandboxed itself: the layers that need only root
# must be applied; the others are shown as the host allowed them.
layers=$(grep -m1 "plugin 'counter'.*sandbox:" "$work/demo.err" | sed 's/.*sandbox: //')
[ -n "$layers" ] || fail "no sandbox report for the counter runner"
for layer in pid-namespace unprivileged-uid capabilities no-new-privs seccomp; do
  grep -q "$layer: applied" <<<"$layers" || fail "$layer not applied: $layers"
done
not_applied=$(tr ';' '\n' <<<"$layers" | grep -v ': applied' | sed 's/^ *//' | cut -d: -f1,2 |
  paste -sd, || true)
echo "sandbox layers: ${not_applied:+not applied here: }${not_applied:-every one applied}"
echo "runs (--version, --list-plugins twice, 10 s demo) took $(since "$t0") s"

# 5. The unit as installed, where systemd-analyze exists (Debian's systemd
# package). The root has no systemd to verify against, so the host's is
# used, with ExecStart pointing at the root's binary; any message (an
# unknown key is only a warning to systemd) fails.
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$work/unit"
  sed "s|^ExecStart=/usr/bin/bulkhead|ExecStart=$root/usr/bin/bulkhead|" \
    "$root/usr/lib/systemd/system/bulkhead.service" >"$work/unit/bulkhead.service"
  grep -q "^ExecStart=$root/usr/bin/bulkhead " "$work/unit/bulkhead.service" ||
    fail "bulkhead.service does not start /usr/bin/bulkhead"
  if ! systemd-analyze verify --man=no "$work/unit/bulkhead.service" >"$work/verify.out" 2>&1 ||
     [ -s "$work/verify.out" ]; then
    cat "$work/verify.out"
    fail "systemd-analyze verify found problems in bulkhead.service"
  fi
  echo "systemd-analyze verify bulkhead.service: no findings"
else
  echo "systemd-analyze not installed: the unit was not verified"
fi
# 6. Removal: the maintainer scripts run without systemd, purge takes the
# conffile too.
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq bulkhead >"$work/purge.log" 2>&1 ||
  { cat "$work/purge.log"; fail "apt-get purge bulkhead failed"; }
for f in /usr/bin/bulkhead /usr/libexec/bulkhead/bulkhead-runner /etc/bulkhead/falco.yaml; do
  [ ! -e "$root$f" ] || fail "$f is still there after purge"
done
echo "apt-get purge: nothing left"
echo "package test passed"
