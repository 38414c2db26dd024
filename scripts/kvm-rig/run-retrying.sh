#!/usr/bin/env bash
# Runs a command in the KVM rig once more when the rig's emulated machine stops (rig.sh's status
# 123; docs/kvm-rig.md, "When the rig's machine stops"), and says so visibly. A second stop is
# reported as a visible skip of everything the command was to run, with a closing line
# "0 passed, 0 failed, 1 skipped" that test.sh's totals read; any other result is the command's.
#
# Usage: scripts/kvm-rig/run-retrying.sh LOG WHAT [RIG OPTION...] -- COMMAND [ARG...]
#   The output goes to standard output and to LOG; WHAT names the run in the skip line.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log=$1 what=$2; shift 2

for attempt in 1 2; do
    "$here/rig.sh" "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    [ "$status" = 123 ] || exit "$status"
    if [ $attempt = 1 ]; then
        echo "rig: the emulated machine stopped (above: where its CPUs were); running $what once more in a fresh rig"
    fi
done
echo "[SKIP] $what: the KVM rig's emulated machine stopped twice (docs/kvm-rig.md)" | tee -a "$log"
echo "0 passed, 0 failed, 1 skipped" | tee -a "$log"
exit 123
