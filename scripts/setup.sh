#!/usr/bin/env bash
# Prepare this machine for rehearsals: Debian packages, a Docker engine, the venv, the images.
# Idempotent and fast when everything is already there; safe to run before every rehearsal.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
CACHE="${RUSTFS_CUTOVER_CACHE:-$HOME/.cache/rustfs-cutover}"
mkdir -p "$CACHE"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# a. Debian packages -------------------------------------------------------------------------
# No `dpkg -s | grep -q` here: grep quits at the first match, dpkg may then die of SIGPIPE,
# and with pipefail an installed package would randomly count as missing.
installed() {
    local status
    status="$(dpkg -s "$1" 2>/dev/null)" || return 1
    [[ "$status" == *$'\nStatus: install ok installed'* ]]
}

wanted=(docker.io rclone openssh-server sudo debootstrap curl protobuf-compiler iproute2)
# Debian's own python3 cannot create a venv without python3-venv (no ensurepip).
if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    wanted+=(python3-venv)
fi
missing=()
for pkg in "${wanted[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
    say "Debian packages present: ${wanted[*]}"
else
    say "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# b. Docker engine ----------------------------------------------------------------------------
if docker info >/dev/null 2>&1; then
    say "Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
else
    log="$CACHE/dockerd.log"
    say "starting dockerd (no bridge, no iptables: rehearsals use host networking); log: $log"
    # setsid: the engine must outlive this script and not get the caller's Ctrl-C.
    as_root setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false \
        >>"$log" 2>&1 </dev/null &
    dockerd_pid=$!
    for _ in $(seq 1 120); do
        docker info >/dev/null 2>&1 && break
        kill -0 "$dockerd_pid" 2>/dev/null || break   # it exited: no point waiting
        sleep 0.5
    done
    if ! docker info >/dev/null 2>&1; then
        printf 'setup: last lines of %s:\n' "$log" >&2
        tail -n 20 "$log" >&2 || true
        if kill -0 "$dockerd_pid" 2>/dev/null; then
            die "dockerd did not answer within 60 s (see $log)"
        fi
        die "dockerd exited without answering (see $log)"
    fi
    say "Docker engine started ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
fi

# c. Python -----------------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    python3 -m venv .venv
fi
if [ pyproject.toml -nt .venv/.installed ]; then
    say "installing the project into .venv (pyproject.toml changed)"
    .venv/bin/pip install -q -e '.[dev]'
    touch .venv/.installed
else
    say ".venv up to date"
fi

# d. Images -----------------------------------------------------------------------------------
say "engine images for target ${CUTOVER_TARGET:-rehearsal}:"
.venv/bin/python -m cutover.images ensure --target "${CUTOVER_TARGET:-rehearsal}"
