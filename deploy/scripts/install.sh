#!/usr/bin/env bash
# Installs Metacrypt from a built source tree as a systemd service: the
# metacrypt user, its directories, the program, the wrapper command, the
# example configuration (only if none exists) and the systemd units.
# Running it again upgrades the program and changes nothing else.
#
# usage: install.sh [SOURCE_DIR]
#   SOURCE_DIR  a tree where `npm ci && npm run build` has been run
#               (default: the repository this script is in)
# Environment:
#   DESTDIR  install under this directory instead of / (for packaging and
#            tests; the user is then added to DESTDIR/etc/passwd)
#   NODE     the Node.js (>= 20.19) the service runs (default: node on PATH)
#   NPM      the npm used to drop development packages (default: the npm
#            beside NODE, else npm on PATH)
set -euo pipefail
umask 022

readonly me='install.sh'
readonly usage='usage: install.sh [SOURCE_DIR]'
readonly user='metacrypt'
readonly lib_dir='/usr/local/lib/metacrypt'
readonly bin_file='/usr/local/bin/metacrypt'
readonly etc_dir='/etc/metacrypt'
readonly state_dir='/var/lib/metacrypt'
readonly unit_dir='/etc/systemd/system'
readonly units=(metacrypt.service metacrypt-backup.service
  metacrypt-backup.timer)
# What of the source tree the program needs at run time.
readonly program_parts=(package.json package-lock.json bin migrations views
  deploy oclif.manifest.json)

fail() {
  echo "$me: $*" >&2
  exit 1
}

warn() {
  echo "$me: warning: $*" >&2
}

# entry_field DATABASE NAME FIELD prints a field of NAME's entry in the
# target root's passwd or group database, nothing if there is none. For
# the real root, getent also sees users from NSS sources beyond files.
entry_field() {
  local database="$1" name="$2" field="$3"
  if [ -z "$destdir" ]; then
    getent "$database" "$name" | cut -d: -f"$field"
  else
    awk -F: -v name="$name" -v field="$field" \
      '$1 == name { print $field; exit }' "$destdir/etc/$database"
  fi
}

# find_node prints the absolute path of the Node.js to run, checked to be
# 20.19 or newer. The path is not resolved through symlinks, so that
# /usr/bin/node keeps following the system's alternatives.
find_node() {
  local node="${NODE:-}"
  if [ -z "$node" ]; then
    node="$(command -v node)" || fail "node not found on PATH; set NODE"
  fi
  if ! [ -f "$node" ] || ! [ -x "$node" ]; then
    fail "$node is not an executable file"
  fi
  case "$node" in
    /*) ;;
    *) node="$(cd "$(dirname "$node")" && pwd)/$(basename "$node")" ;;
  esac
  local version
  version="$("$node" -p 'process.versions.node')" ||
    fail "$node does not run"
  local major minor
  IFS=. read -r major minor _ <<<"$version"
  if ! [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] ||
    [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }
  then
    fail "$node is Node.js $version; Metacrypt needs 20.19 or newer"
  fi
  echo "$node"
}

# find_npm prints the npm to prune with: NPM, the one installed with node,
# or the first on PATH.
find_npm() {
  local node="$1"
  if [ -n "${NPM:-}" ]; then
    echo "$NPM"
  elif [ -x "$(dirname "$node")/npm" ]; then
    echo "$(dirname "$node")/npm"
  else
    command -v npm || fail "npm not found beside $node or on PATH; set NPM"
  fi
}

# sh_quote prints its argument quoted for sh.
sh_quote() {
  printf "'%s'" "${1//\'/\'\\\'\'}"
}

# Step 1: arguments, privilege, source tree, Node.js.
case "${1:-}" in
  -h | --help)
    echo "$usage"
    exit 0
    ;;
esac
if [ "$#" -gt 1 ]; then
  echo "$usage" >&2
  exit 2
fi
[ "$EUID" -eq 0 ] || fail "must be run as root"

source_dir="${1:-$(dirname "$0")/../..}"
[ -d "$source_dir" ] || fail "source directory $source_dir does not exist"
source_dir="$(cd "$source_dir" && pwd)"
for built in dist/src/cli/commands oclif.manifest.json node_modules; do
  [ -e "$source_dir/$built" ] ||
    fail "$source_dir is not a built tree (no $built):" \
      "run npm ci && npm run build in it first"
done

destdir="${DESTDIR:-}"
if [ -n "$destdir" ]; then
  [ -d "$destdir" ] || fail "DESTDIR $destdir is not a directory"
  destdir="$(cd "$destdir" && pwd)"
  [ "$destdir" != / ] || destdir=''
fi

node="$(find_node)"
npm="$(find_npm "$node")"
case "$node" in
  /root/* | /home/* | /run/user/*)
    warn "$node is under a home directory, which the service cannot" \
      "read (ProtectHome=yes); install Node.js system-wide"
    ;;
esac

# Step 2: the user and group. With DESTDIR, --prefix makes groupadd and
# useradd edit DESTDIR/etc's files only.
prefix=()
[ -z "$destdir" ] || prefix=(--prefix "$destdir")
if [ -z "$(entry_field group "$user" 1)" ]; then
  groupadd --system "${prefix[@]}" "$user" ||
    fail "cannot create group $user"
fi
if [ -z "$(entry_field passwd "$user" 1)" ]; then
  useradd --system "${prefix[@]}" --gid "$user" \
    --home-dir "$state_dir" --no-create-home \
    --shell /usr/sbin/nologin --comment 'Metacrypt key vault' "$user" ||
    fail "cannot create user $user"
fi
uid="$(entry_field passwd "$user" 3)"
gid="$(entry_field passwd "$user" 4)"
if [ -z "$uid" ] || [ -z "$gid" ]; then
  fail "cannot read user $user back"
fi

# Step 3: the directories. Parents are made only if missing, with the
# usual 0755; ours get their mode and owner on every run.
for parent in /usr/local/lib /usr/local/bin /etc /var/lib "$unit_dir"; do
  [ -d "$destdir$parent" ] || mkdir -p "$destdir$parent"
done
install -d -m 0750 -o "$uid" -g "$gid" "$destdir$etc_dir" \
  "$destdir$etc_dir/certs"
install -d -m 0700 -o "$uid" -g "$gid" "$destdir$state_dir" \
  "$destdir$state_dir/backups"

# Step 4: the program, assembled in a staging directory beside its place
# and swapped in with two renames, so that the installed tree is always
# either the old one or the new one, whole. A run interrupted before the
# swap leaves only the staging directory, which the next run removes.
target="$destdir$lib_dir"
staging="$(dirname "$target")/.metacrypt.new"
previous="$(dirname "$target")/.metacrypt.old"
# cleanup puts the old tree back if the swap stopped halfway.
cleanup() {
  if [ -d "$previous" ] && ! [ -d "$target" ]; then
    mv "$previous" "$target"
  fi
  rm -rf "$staging"
}
rm -rf "$staging" "$previous"
trap cleanup EXIT
mkdir "$staging"
for part in "${program_parts[@]}"; do
  cp -R "$source_dir/$part" "$staging/"
done
mkdir -p "$staging/dist"
cp -R "$source_dir/dist/src" "$staging/dist/"
# The packages production needs, copied as they are (compiled native
# modules included): the top-level ones the lockfile marks neither dev nor
# optional. Optional ones are left out too, since the production code runs
# without them by definition, and typescript would otherwise come along
# as an optional peer of cosmiconfig. Copying only these is what makes an
# install quick; npm prune then has the last word, offline: it removes
# whatever else is not needed, and fails if anything needed is missing.
packages="$("$node" -e '
  const fs = require("node:fs");
  const lock = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const name = path.slice("node_modules/".length);
    if (!path.startsWith("node_modules/")) continue;
    if (name.includes("/node_modules/")) continue;
    if (entry.dev || entry.optional || entry.devOptional) continue;
    console.log(path);
  }' "$source_dir/package-lock.json")" ||
  fail "cannot read $source_dir/package-lock.json"
mapfile -t packages <<<"$packages"
# .bin too, or prune would relink (reinstall) every package with a command.
(cd "$source_dir" &&
  cp -R --parents node_modules/.bin "${packages[@]}" "$staging/") ||
  fail "cannot copy the packages from $source_dir/node_modules:" \
    "run npm ci there first"
(cd "$staging" && "$npm" prune --omit=dev --omit=optional --ignore-scripts \
  --offline --no-audit --no-fund --no-update-notifier --logs-max=0 \
  --loglevel=error >/dev/null) ||
  fail "npm prune in $staging failed"
# The commands of the packages not copied.
find "$staging/node_modules/.bin" -xtype l -delete

chown -R 0:0 "$staging"
chmod -R u=rwX,go=rX "$staging"
chmod 0755 "$staging"/deploy/scripts/*.sh
if [ -d "$target" ]; then
  mv "$target" "$previous"
fi
mv "$staging" "$target"
trap - EXIT
rm -rf "$previous"

# Step 5: the wrapper, which runs the Node.js found now by its absolute
# path: systemd's PATH would not find a Node.js installed elsewhere.
wrapper="$destdir$bin_file"
cat >"$wrapper.new" <<EOF
#!/bin/sh
# The metacrypt command, written by install.sh: the installed program on
# the Node.js it was installed with.
exec $(sh_quote "$node") $(sh_quote "$lib_dir/bin/run.js") "\$@"
EOF
chown 0:0 "$wrapper.new"
chmod 0755 "$wrapper.new"
mv "$wrapper.new" "$wrapper"

# Step 6: the configuration, only if there is none: an existing one is
# never touched.
config="$destdir$etc_dir/metacrypt.toml"
if [ -e "$config" ]; then
  config_note="kept the existing $etc_dir/metacrypt.toml"
else
  install -m 0640 -o "$uid" -g "$gid" \
    "$source_dir/deploy/examples/metacrypt.toml" "$config"
  config_note="wrote $etc_dir/metacrypt.toml from the example"
fi

# Step 7: the units; systemd rereads them if it is running here. Nothing
# is enabled or started.
for unit in "${units[@]}"; do
  install -m 0644 -o 0 -g 0 "$source_dir/deploy/systemd/$unit" \
    "$destdir$unit_dir/$unit"
done
if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi

version="$("$node" "$target/bin/run.js" --version)"
cat <<EOF
Installed $version in ${destdir:-}$lib_dir (Node.js $node)
and the metacrypt command in ${destdir:-}$bin_file; $config_note.
Nothing was enabled or started. Next:
  1. Edit $etc_dir/metacrypt.toml (server, database, mcias).
  2. Put the TLS certificate and key in $etc_dir/certs/, owned by
     $user, the key with mode 0600.
  3. systemctl enable --now metacrypt
  4. metacrypt init --addr https://localhost:8443 --ca-cert CA_FILE
     (then, after every start: metacrypt unseal)
  5. systemctl enable --now metacrypt-backup.timer
After an upgrade: systemctl restart metacrypt, then unseal.
EOF
