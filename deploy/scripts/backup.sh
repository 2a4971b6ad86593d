#!/usr/bin/env bash
# Backs up the Metacrypt database: writes a snapshot to the backup
# directory, checks it, and only then removes backups older than
# RETENTION_DAYS days. Run daily by metacrypt-backup.service.
#
# usage: backup.sh RETENTION_DAYS
# Environment:
#   METACRYPT_CONFIG      configuration (default /etc/metacrypt/metacrypt.toml)
#   METACRYPT_BACKUP_DIR  where backups go (default /var/lib/metacrypt/backups)
#   METACRYPT_BIN         metacrypt command (default /usr/local/bin/metacrypt)
set -euo pipefail
umask 077

readonly me='backup.sh'
readonly usage='usage: backup.sh RETENTION_DAYS'
# The names this script writes, metacrypt-YYYYMMDD-HHMMSS.db (UTC), and
# the only files it ever removes.
readonly d='[0-9]'
readonly pattern="metacrypt-$d$d$d$d$d$d$d$d-$d$d$d$d$d$d.db"

fail() {
  echo "$me: $*" >&2
  exit 1
}

# one_line joins a command's error output into one line for fail.
one_line() {
  local text="$1"
  echo "${text//$'\n'/; }"
}

# Step 1: the argument and the environment. Six digits at most (2700
# years) keeps the arithmetic on minutes below far from overflowing.
if [ "$#" -ne 1 ] || ! [[ "$1" =~ ^[0-9]{1,6}$ ]]; then
  echo "$usage" >&2
  exit 2
fi
readonly days="$((10#$1))"
readonly config="${METACRYPT_CONFIG:-/etc/metacrypt/metacrypt.toml}"
readonly dir="${METACRYPT_BACKUP_DIR:-/var/lib/metacrypt/backups}"
readonly bin="${METACRYPT_BIN:-/usr/local/bin/metacrypt}"

[ -x "$bin" ] || fail "$bin is not an executable command"
[ -r "$config" ] || fail "cannot read the configuration $config"
[ -d "$dir" ] || fail "backup directory $dir does not exist"
[ -w "$dir" ] || fail "backup directory $dir is not writable"

# Step 2: the snapshot. The command never overwrites a file, so a second
# backup within the same second fails here and leaves the first alone.
name="metacrypt-$(date -u +%Y%m%d-%H%M%S).db"
file="$dir/$name"
if ! errors="$("$bin" snapshot --config "$config" --output "$file" \
  2>&1 >/dev/null)"; then
  fail "snapshot to $file failed: $(one_line "$errors")"
fi
chmod 0600 "$file" || fail "cannot make $file private"

# Step 3: the check. A snapshot that does not pass is no backup, and must
# not make older ones look redundant.
if ! errors="$("$bin" snapshot verify "$file" 2>&1 >/dev/null)"; then
  rm -f "$file"
  fail "check of $file failed, removed it: $(one_line "$errors")"
fi

# Step 4: the pruning, by modification time, of our own names only, never
# the snapshot just written (RETENTION_DAYS 0 means keep only that one).
if ! removed="$(find "$dir" -maxdepth 1 -type f -name "$pattern" \
  ! -name "$name" -mmin "+$((days * 1440))" -delete -print)"; then
  fail "removing backups older than $days days from $dir failed"
fi
count=0
[ -z "$removed" ] || count="$(wc -l <<<"$removed")"

echo "backup written and checked: $file"
echo "old backups removed: $count (older than $days days)"
