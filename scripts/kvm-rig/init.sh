#!/bin/busybox sh
# /init of the KVM rig's initramfs: loads KVM and the virtio disk, mounts the root the host
# built, and runs /rig-command.sh in it. The host reads the output between the markers.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r module; do
    insmod "/modules/$module.ko" 2>/dev/null || echo "rig: could not load $module" >/dev/console
done </modules/order

finish() {
    echo "$1" >/rig/rig-exit 2>/dev/null
    sync
    umount /rig/dev/pts /rig/dev/shm /rig/dev /rig/sys /rig/proc 2>/dev/null
    umount /rig 2>/dev/null
    echo "ZX-RIG-EXIT=$1" >/dev/console
    poweroff -f
}

# Holds one idle user of each KVM static key for the rig's life, so that the tests' hundreds of
# guests never make the kernel patch its code across CPUs (see scripts/kvm-rig/kvm-keeper.c).
/bin/kvm-keeper &

mount -t ext4 /dev/vda /rig || { echo "rig: no root disk" >/dev/console; finish 125; }
for fs in proc sys dev; do mkdir -p /rig/$fs; mount --bind /$fs /rig/$fs; done
# /tmp stays on the root image: the repository may itself live under /tmp (a fresh clone).
mkdir -p /rig/dev/pts /rig/dev/shm /rig/tmp
chmod 1777 /rig/tmp
mount -t devpts devpts /rig/dev/pts
mount -t tmpfs tmpfs /rig/dev/shm
[ -c /dev/kvm ] || echo "rig: /dev/kvm did not appear" >/dev/console
ifconfig lo 127.0.0.1 up 2>/dev/null

# The command's output goes to a file on the root image, which the host reads after power-off:
# the console is no channel for it (a test that plays with terminals may hang it up).
echo "ZX-RIG-BEGIN" >/dev/console
# Written back every few seconds, so that what a command that hangs printed before the rig's
# timeout is on the image when the host reads it.
( while sleep 5; do sync; done ) &
syncer=$!
# A heartbeat in the kernel's log, which the kernel writes to the console by polling the UART
# (no tty, no interrupt, nothing a test can hang up): the host stops a machine whose heartbeat
# ends (scripts/kvm-rig/stall-watch.sh). The kernel's text symbols go to the image so that the
# host can name the function each stopped CPU was in (the rig boots without KASLR).
( while :; do echo "<2>zx-rig-heartbeat $(cut -d' ' -f1 /proc/uptime)" >/dev/kmsg; sleep 5; done ) &
heartbeat=$!
grep -i " t " /proc/kallsyms >/rig/rig-kallsyms 2>/dev/null
setsid chroot /rig /rig-command.sh </dev/null >/rig/rig-output.log 2>&1
status=$?
kill $syncer $heartbeat 2>/dev/null
finish $status
