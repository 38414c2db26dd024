#!/usr/bin/env bash
# The repository's documentation stands alone:
#   1. no file points outside the repository (../shared/..., shared/reference, absolute /work paths);
#   2. every relative link in a Markdown file resolves to a file or folder inside the repository;
#   3. every "semantics §N" citation (docs/semantics.md §N, semantics §N) names a section that
#      docs/semantics.md has.
# Last line: "docs: N passed, N failed".
set -u
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
passed=0; failed=0
pass() { passed=$((passed + 1)); echo "[ OK ] $1"; }
fail() { failed=$((failed + 1)); echo "[FAIL] $1"; }

# The files a clone has: tracked and new files, minus build output.
mapfile -t files < <(git ls-files --cached --others --exclude-standard \
  README.md docs src tests bench guest samples scripts native .ci build.sh test.sh run.sh Directory.Build.props Directory.Build.targets \
  | grep -v -E '(^|/)(bin|obj)/' | while read -r f; do [ -f "$f" ] && echo "$f"; done)

# The patterns are split so this script does not match itself.
outside="$(grep -n -I -E '\.\./'"shared|shared/(reference|design)|/work/(shared|wt|main)" "${files[@]}" 2>/dev/null | grep -v '^tests/docs/run.sh:')"
if [ -z "$outside" ]; then pass "no reference leaves the repository (${#files[@]} files)"; else fail "references outside the repository:"; echo "$outside" | sed 's/^/   | /'; fi

broken=()
links=0
for md in $(printf '%s\n' "${files[@]}" | grep '\.md$'); do
  dir="$(dirname "$md")"
  # [text](target) with a relative target (no scheme, no anchor-only link).
  while IFS= read -r target; do
    target="${target%%#*}"
    [ -z "$target" ] && continue
    case "$target" in http://* | https://* | mailto:*) continue ;; esac
    links=$((links + 1))
    resolved="$(cd "$dir" && realpath -m "$target")"
    case "$resolved" in
      "$repo"/*) [ -e "$resolved" ] || broken+=("$md -> $target (missing)") ;;
      *) broken+=("$md -> $target (outside the repository)") ;;
    esac
  done < <(grep -o -E '\]\([^) ]+\)' "$md" | sed -E 's/^\]\((.*)\)$/\1/')
done
if [ ${#broken[@]} -eq 0 ]; then pass "$links relative Markdown links resolve inside the repository"; else fail "broken links:"; printf '   | %s\n' "${broken[@]}"; fi

sections="$(grep -o -E '^#+ §[0-9]+(\.[0-9]+)?' docs/semantics.md | grep -o -E '§[0-9.]+' | sort -u)"
cited="$(grep -h -o -E 'semantics(\.md)? §[0-9]+(\.[0-9]+)?(/§[0-9]+(\.[0-9]+)?)?(, §[0-9]+(\.[0-9]+)?)*(-[0-9]+)?' "${files[@]}" 2>/dev/null \
  | grep -o -E '§[0-9]+(\.[0-9]+)?' | sort -u)"
missing=()
for c in $cited; do grep -qx -- "$c" <<<"$sections" || missing+=("$c"); done
if [ ${#missing[@]} -eq 0 ]; then pass "$(wc -w <<<"$cited") cited sections of docs/semantics.md exist"; else fail "cited sections missing from docs/semantics.md: ${missing[*]}"; fi

echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
