#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, and the installed bulkhead run
# from another folder: it must find bulkhead-runner under libexec/ and the
# profiles under share/ (supervisor/install_paths.h), with no build tree
# beside it. Also checks where the configuration goes: <prefix>/etc for a
# prefix of its own, /etc (under DESTDIR) for the prefix /usr.
#
#   install_test.sh <source dir> <build dir>
set -euo pipefail

src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d /tmp/bulkhead-install-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install failed"; }
for f in bin/bulkhead libexec/bulkhead/bulkhead-runner libexec/bulkhead/libbulkhead_proxy.so \
         share/bulkhead/policies/default.yaml \
         share/man/man8/bulkhead.8.gz share/bash-completion/completions/bulkhead \
         lib/systemd/system/bulkhead.service etc/bulkhead/falco.yaml; do
  [ -e "$prefix/$f" ] || fail "cmake --install put no $f under the prefix"
done
[ ! -e "$prefix/bin/bulkhead-runner" ] || fail "the runner was installed beside bulkhead in bin/"

# The man page is valid roff (man renders it without warnings).
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings -l "$prefix/share/man/man8/bulkhead.8.gz" 2>&1 >/dev/null || true)
  [ -z "$warnings" ] || fail "man warns about bulkhead.8: $warnings"
fi

# Installed, from /: list the demo's plugins. Only the installed runner can
# serve them (none is next to the installed binary).
demo=$work/demo
mkdir -p "$demo/rules"
cp "$src/config/falco.yaml" "$demo/"
cp "$src"/config/rules/*.yaml "$demo/rules/"
out=$(cd / && "$prefix/bin/bulkhead" -c "$demo/falco.yaml" \
        -o "bulkhead.plugins_dir=$build/tests/plugins" --list-plugins 2>"$work/list.err") ||
  fail "the installed bulkhead could not list the plugins: $(cat "$work/list.err")"
grep -q '^3 Plugins Loaded' <<<"$out" || fail "--list-plugins printed: $out"
grep -q '^Isolation: process' <<<"$out" || fail "the plugins were not isolated: $out"

# `bulkhead wrap` copies the installed proxy and binds it to the installed
# runner and profiles.
(cd / && "$prefix/bin/bulkhead" wrap "$build/tests/plugins/libcounter.so" \
   -o "$work/libcounter-proxy.so" >"$work/wrap.out" 2>&1) ||
  fail "the installed bulkhead could not wrap a plugin: $(cat "$work/wrap.out")"
grep -qx "runner: $prefix/libexec/bulkhead/bulkhead-runner" "$work/libcounter-proxy.so.bulkhead.yaml" ||
  fail "the binding does not name the installed runner: $(head -8 "$work/libcounter-proxy.so.bulkhead.yaml")"

# Profiles are read from the install: without them a runner cannot start.
mv "$prefix/share/bulkhead/policies" "$prefix/share/bulkhead/policies.away"
if (cd / && "$prefix/bin/bulkhead" -c "$demo/falco.yaml" \
      -o "bulkhead.plugins_dir=$build/tests/plugins" --list-plugins >/dev/null 2>"$work/nopol.err"); then
  fail "bulkhead ran with no seccomp profiles installed"
fi
grep -q "share/bulkhead/policies\|policies" "$work/nopol.err" ||
  fail "the error does not name the profiles folder: $(cat "$work/nopol.err")"
mv "$prefix/share/bulkhead/policies.away" "$prefix/share/bulkhead/policies"

# The prefix /usr puts the configuration in /etc, as a package needs.
DESTDIR=$work/dest cmake --install "$build" --prefix /usr >"$work/install-usr.log" 2>&1 ||
  { cat "$work/install-usr.log"; fail "cmake --install --prefix /usr failed"; }
[ -f "$work/dest/etc/bulkhead/falco.yaml" ] || fail "prefix /usr: no /etc/bulkhead/falco.yaml"
[ -f "$work/dest/usr/bin/bulkhead" ] || fail "prefix /usr: no /usr/bin/bulkhead"
[ ! -e "$work/dest/usr/etc" ] || fail "prefix /usr: the configuration went to /usr/etc"
echo "install test passed"
