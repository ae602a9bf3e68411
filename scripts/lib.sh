# Shared by scripts/start and scripts/test: find pnpm and install the workspace's dependencies.
export COREPACK_INTEGRITY_KEYS=0   # corepack's key check fails against some registries' metadata
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

export TURBO_TELEMETRY_DISABLED=1

# Turbo looks for a `pnpm` binary on PATH; give it one that runs the pinned version through corepack.
setup_pnpm() {
  if ! corepack pnpm --version >/dev/null 2>&1; then
    command -v pnpm >/dev/null 2>&1 || npm install -g pnpm@10 >/dev/null
    return
  fi
  mkdir -p .tools/bin
  printf '#!/bin/sh\nexec corepack pnpm "$@"\n' > .tools/bin/pnpm
  chmod +x .tools/bin/pnpm
  export PATH="$PWD/.tools/bin:$PATH"
}

pnpm_cmd() { pnpm "$@"; }

install_dependencies() {
  setup_pnpm
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node >= 20.19 is required (found "+process.versions.node+")"); process.exit(1) }'
  pnpm_cmd install --frozen-lockfile --reporter=append-only | tail -n 2
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Tests talk to a real Redis and PostgreSQL on this machine; start them, or install them, if absent.
ensure_test_services() {
  if ! port_open 6379; then
    command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }
    redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --save "" --appendonly no >/dev/null
  fi
  if ! port_open 5432; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    fi
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  fi
  for _ in $(seq 1 50); do port_open 6379 && port_open 5432 && break; sleep 0.2; done
  port_open 6379 || { echo "Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }
  port_open 5432 || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test' >/dev/null
  # The dashboard's browser test drives Debian's Chromium headless (e2e/test/dashboard.test.ts).
  # CHROMIUM_PATH names another Chromium or Chrome (GitHub's runners have /usr/bin/google-chrome).
  local browser=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [ ! -x "$browser" ] && [ -z "${CHROMIUM_PATH:-}" ]; then
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null
  fi
  [ -x "$browser" ] || { echo "No Chromium at $browser (install chromium, or set CHROMIUM_PATH)" >&2; exit 1; }
  # The mailbox tests run their own Dovecot (packages/imap/src/testing/dovecot.ts) on a loopback
  # port with a throwaway config; the package is only installed here, never used as a service.
  if ! command -v dovecot >/dev/null && [ ! -x /usr/sbin/dovecot ]; then
    local sudo_imap=""; [ "$(id -u)" -ne 0 ] && sudo_imap="sudo"
    $sudo_imap apt-get update -qq && $sudo_imap apt-get install -y -qq dovecot-imapd >/dev/null
    # Debian starts the service it just installed where an init system runs; tests need none.
    $sudo_imap service dovecot stop >/dev/null 2>&1 || true
  fi
  [ -x /usr/sbin/dovecot ] || { echo "No Dovecot at /usr/sbin/dovecot (apt-get install dovecot-imapd)" >&2; exit 1; }
}
