#!/usr/bin/env bash
# The main job: builds if needed, then boots the embedded guest OS with zxvm.
# Extra arguments go to 'zxvm run' (see: artifacts/bin/zxvm --help).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x artifacts/bin/zxvm ]; then
    ./build.sh >&2
fi
exec artifacts/bin/zxvm run "$@"
