#!/usr/bin/env bash
# Builds everything into artifacts/:
#   artifacts/native/libzircon.so and artifacts/native/include/zircon/...  (the C ABI; a contract)
#   artifacts/bin/zxvm                                                    (the VMM's CLI)
#   artifacts/bin/ports-and-interrupts/                                   (a sample of the kernel API)
set -euo pipefail
cd "$(dirname "$0")"

./scripts/install-prereqs.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== dotnet build"
dotnet build Zircon.slnx -c Release -nologo -clp:ErrorsOnly -v:q

echo "== C ABI (NativeAOT libzircon.so)"
src/Zircon.Native/publish.sh "$PWD/artifacts"

echo "== zxvm (NativeAOT: starts in milliseconds)"
rm -rf artifacts/lib/zxvm
dotnet publish src/Zxvm -f net9.0 -c Release -nologo -v:q -o artifacts/lib/zxvm >/dev/null
mkdir -p artifacts/bin
ln -sfn ../lib/zxvm/zxvm artifacts/bin/zxvm

echo "== sample"
dotnet publish samples/PortsAndInterrupts -c Release -nologo -v:q -o artifacts/bin/ports-and-interrupts >/dev/null

echo "build complete: artifacts/"
