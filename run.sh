#!/usr/bin/env bash
# The main job: builds if needed, then runs the ports-and-interrupts sample.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x artifacts/bin/ports-and-interrupts/PortsAndInterrupts ]; then
    ./build.sh >&2
fi
exec artifacts/bin/ports-and-interrupts/PortsAndInterrupts "$@"
