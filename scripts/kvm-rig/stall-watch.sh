#!/usr/bin/env bash
# Watches a running rig machine and stops it when it stops responding.
#
# The rig's /init writes a heartbeat line to the kernel's log every few seconds, from a shell loop
# that no test touches; the kernel prints it on the console (a file here). A machine that has
# sent no heartbeat for STALL seconds (or none at all within STALL + 240 s of boot) has stopped as a
# whole (docs/kvm-rig.md, "When the rig's machine stops"): this script then records what QEMU
# shows of it (CPU time QEMU used meanwhile, each emulated CPU's registers, through the monitor
# socket), writes that to REPORT and kills QEMU, so the rig ends at once with its own status
# instead of sitting out its whole time limit.
#
# Usage: stall-watch.sh QEMU_PID CONSOLE_FILE MONITOR_SOCKET STALL_SECONDS REPORT_FILE
#   Each CPU's registers also go to REPORT.registers (rig.sh names the kernel function at each RIP).
set -uo pipefail
qemu=$1 console=$2 monitor=$3 stall=$4 report=$5
started=$(date +%s)
beats=0 last_beat=$started

# QEMU_PID may be the `timeout` that runs QEMU: its CPU time is its child's.
cpu_ticks() {
    local pid
    for pid in "$qemu" $(cat "/proc/$qemu/task/$qemu/children" 2>/dev/null); do
        awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null
    done | awk '{ sum += $1 } END { print sum + 0 }'
}

# One human-monitor command through the socket; perl's core modules speak to a UNIX socket.
monitor_command() {
    perl -MIO::Socket::UNIX -e '
        my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1;
        $s->autoflush(1); print $s "$ARGV[1]\n";
        local $SIG{ALRM} = sub { exit 0 }; alarm 5;
        while (my $line = <$s>) { $line =~ s/\e\[[0-9;]*[A-Za-z]//g; $line =~ tr/\r//d; print $line }
    ' "$monitor" "$1" 2>/dev/null
}

while kill -0 "$qemu" 2>/dev/null; do
    sleep 5
    now=$(date +%s)
    count=$(grep -ac zx-rig-heartbeat "$console" 2>/dev/null)
    if [ "${count:-0}" -gt "$beats" ]; then
        beats=$count last_beat=$now
        continue
    fi
    if [ "$beats" -gt 0 ]; then
        silent=$((now - last_beat))
        [ "$silent" -lt "$stall" ] && continue
        what="no heartbeat for $silent s (last: $(grep -a zx-rig-heartbeat "$console" | tail -1 | tr -d '\r'))"
    else
        [ $((now - started)) -lt $((stall + 240)) ] && continue
        what="no heartbeat at all $((now - started)) s after start"
    fi
    before=$(cpu_ticks); sleep 5; after=$(cpu_ticks)
    {
        echo "rig: the emulated machine stopped responding: $what"
        echo "rig: QEMU used $(( (after - before) * 100 / $(getconf CLK_TCK) / 5 ))% of a host CPU over the last 5 s"
        echo "rig: QEMU's view of the emulated CPUs:"
        monitor_command "info cpus" | grep -v -e "(qemu)" -e "^QEMU " | sed "s/^/rig|   /"
        monitor_command "info registers -a" >"$report.registers"
        grep -E "^(CPU#|RIP|RAX|RSP|CR0|EFL)" "$report.registers" | sed 's/^/rig|   /'
        sleep 2
        echo "rig: the emulated CPUs' RIPs 2 s later (unchanged: those CPUs do not run at all):"
        monitor_command "info registers -a" | grep -oE "^RIP=[0-9a-f]+" | sed 's/^/rig|   /'
        echo "rig: each CPU's local APIC (a vector left in service blocks every interrupt of its class and below, the timer's included):"
        for cpu in $(grep -oE "^CPU#[0-9]+" "$report.registers" | tr -dc '0-9\n'); do
            monitor_command "info lapic $cpu" | grep -E -i "^(dumping|LVT0|LVTT|Timer|ISR|IRR|PPR|TPR|ESR|ICR|APR)" | sed "s/^/rig|   cpu $cpu: /"
        done
        echo "rig: QEMU's threads (name, state, where the host kernel has them wait):"
        for task in /proc/"$qemu"/task/* $(for child in $(cat "/proc/$qemu/task/$qemu/children" 2>/dev/null); do echo /proc/"$child"/task/*; done); do
            [ -r "$task/stat" ] || continue
            echo "rig|   $(cat "$task/comm" 2>/dev/null) $(awk '{print $3}' "$task/stat") $(cat "$task/wchan" 2>/dev/null)"
        done
    } >"$report"
    children=$(cat "/proc/$qemu/task/$qemu/children" 2>/dev/null)
    kill "$qemu" 2>/dev/null; sleep 5; kill -9 "$qemu" $children 2>/dev/null
    exit 0
done
