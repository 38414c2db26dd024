#!/usr/bin/env bash
# The NuGet packages as a consumer sees them:
#   1. `dotnet pack` of the solution into a temporary folder feed: one package per library, each
#      with its description, license, readme, repository and XML docs;
#   2. `dotnet pack` of one library alone (src/Zircon) into another folder: its referenced
#      libraries are packed beside it, so that folder alone restores;
#   3. a project created OUTSIDE the repository (mktemp) restores Zircon from the folder feed only
#      (package source mapping: Zircon* from the feed, everything else from the local NuGet cache)
#      and runs a port/interrupt program and a guest program (consumer/Program.cs).
# The guest part needs /dev/kvm: without it the program must say NOT_SUPPORTED cleanly, and this
# script reports the guest check as skipped, with the reason.
#
# Usage: tests/packaging/run.sh [--no-build]   (--no-build: pack what ./build.sh built)
# Last line: "packaging: N passed, N failed, N skipped".
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
no_build=()
[ "${1:-}" = "--no-build" ] && no_build=(--no-build)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

passed=0; failed=0; skipped=0
work="$(mktemp -d "${TMPDIR:-/tmp}/zircon-packaging.XXXXXX")"
trap 'rm -rf "$work"' EXIT

pass() { passed=$((passed + 1)); echo "[ OK ] $1"; }
fail() { failed=$((failed + 1)); echo "[FAIL] $1"; [ -f "${2:-}" ] && tail -25 "$2" | sed 's/^/   | /'; }
skip() { skipped=$((skipped + 1)); echo "[SKIP] $1"; }
finish() { echo "packaging: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit $?; }

version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)"
libraries=(Zircon.Abi Zircon.Linux Zircon.Kernel Zircon)

# 1. The solution.
feed="$work/feed"
if dotnet pack "$repo/Zircon.slnx" -c Release "${no_build[@]}" -o "$feed" -nologo -v:q >"$work/pack.log" 2>&1; then
  pass "dotnet pack Zircon.slnx"
else
  fail "dotnet pack Zircon.slnx" "$work/pack.log"; finish
fi
for lib in "${libraries[@]}"; do
  pkg="$feed/$lib.$version.nupkg"
  if [ ! -f "$pkg" ]; then fail "$lib: no package $pkg"; continue; fi
  nuspec="$(unzip -p "$pkg" "$lib.nuspec")"
  problems=()
  grep -q '<description>Package Description</description>' <<<"$nuspec" && problems+=("default description")
  grep -q '<description>' <<<"$nuspec" || problems+=("no description")
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || problems+=("no license expression")
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || problems+=("no readme")
  grep -q '<authors>' <<<"$nuspec" || problems+=("no authors")
  grep -q '<tags>.*zircon' <<<"$nuspec" || problems+=("no tags")
  grep -q '<repository type="git"' <<<"$nuspec" || problems+=("no repository")
  unzip -l "$pkg" | grep -q ' README.md$' || problems+=("readme file missing")
  unzip -l "$pkg" | grep -q "lib/net10.0/$lib.xml" || problems+=("no XML docs")
  unzip -l "$pkg" | grep -q "lib/net9.0/$lib.dll" || problems+=("no net9.0 assembly")
  if [ ${#problems[@]} -eq 0 ]; then pass "$lib package metadata"; else fail "$lib package: ${problems[*]}"; fi
done
others="$(cd "$feed" && ls *.nupkg | grep -v -E "^($(IFS='|'; echo "${libraries[*]}"))\.$version\.nupkg$")"
if [ -z "$others" ]; then pass "only the libraries are packed"; else fail "unexpected packages: $others"; fi

# 2. One library alone brings its dependencies.
single="$work/single"
if dotnet pack "$repo/src/Zircon/Zircon.csproj" -c Release "${no_build[@]}" -o "$single" -nologo -v:q >"$work/pack1.log" 2>&1 \
   && [ "$(ls "$single"/*.nupkg | wc -l)" -eq 4 ]; then
  pass "dotnet pack src/Zircon alone packs Zircon and its 3 dependencies"
else
  fail "dotnet pack src/Zircon alone ($(ls "$single" 2>/dev/null | tr '\n' ' '))" "$work/pack1.log"
fi

# 3. A consumer outside the tree, restoring from the single-library folder (the harder case).
consumer="$(mktemp -d "${TMPDIR:-/tmp}/zircon-consumer.XXXXXX")"
trap 'rm -rf "$work" "$consumer"' EXIT
case "$consumer" in "$repo"/*) fail "consumer directory is inside the repository"; finish ;; esac
sed "s/@VERSION@/$version/" "$here/consumer/Consumer.csproj.in" >"$consumer/Consumer.csproj"
cp "$here/consumer/Program.cs" "$consumer/Program.cs"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
cat >"$consumer/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="zircon-feed" value="$single" />
    <add key="local-cache" value="$cache" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="zircon-feed"><package pattern="Zircon" /><package pattern="Zircon.*" /></packageSource>
    <packageSource key="local-cache"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
CONFIG
# A private packages folder: nothing restored earlier can stand in for the packed files.
export NUGET_PACKAGES="$work/packages"
if (cd "$consumer" && dotnet restore -nologo -v:q >"$work/restore.log" 2>&1); then
  pass "consumer restores Zircon from the folder feed"
else
  fail "consumer restore" "$work/restore.log"; finish
fi
if [ -f "$work/packages/zircon/$version/zircon.$version.nupkg" ] \
   && cmp -s "$work/packages/zircon/$version/zircon.$version.nupkg" "$single/Zircon.$version.nupkg"; then
  pass "restored Zircon is the packed one"
else
  fail "restored Zircon is not the packed package"
fi
if (cd "$consumer" && dotnet build -c Release --no-restore -nologo -v:q >"$work/build.log" 2>&1); then
  pass "consumer builds against the packages"
else
  fail "consumer build" "$work/build.log"; finish
fi
(cd "$consumer" && timeout 120 dotnet bin/Release/net10.0/Consumer.dll) >"$work/run.log" 2>&1
rc=$?
sed 's/^/   consumer: /' "$work/run.log"
if grep -q '^ports: OK' "$work/run.log"; then pass "consumer port/interrupt program"; else fail "consumer port/interrupt program" "$work/run.log"; fi
if grep -q '^guest: OK' "$work/run.log"; then
  pass "consumer guest program ran a guest"
elif grep -q '^guest: NOT_SUPPORTED' "$work/run.log" && [ ! -w /dev/kvm ]; then
  skip "consumer guest program: guest part skipped, no usable /dev/kvm (the program reported NOT_SUPPORTED cleanly)"
else
  fail "consumer guest program" "$work/run.log"
fi
if [ "$rc" -eq 0 ]; then pass "consumer exit code 0"; else fail "consumer exited with $rc" "$work/run.log"; fi

finish
