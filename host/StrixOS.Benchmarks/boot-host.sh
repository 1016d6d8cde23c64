#!/usr/bin/env bash
# What each boot costs the host: `./strix bench boot`'s two ISOs (the floor and the application image) alternating
# on its QEMU line, each boot under GNU time: wall time, QEMU's user and system CPU, its maximum RSS. On a host that
# hands free memory back to its own hypervisor (a VM with free page reporting), a boot whose huge pages come from
# such memory shows as system CPU (the host clearing them, docs/benchmarks.md, "Why some boots are slow"); the
# summary counts those boots (system CPU of at least SLOW_SYS seconds, default 0.10) and gives the medians.
# Usage: host/StrixOS.Benchmarks/boot-host.sh [pairs]   (default 16)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PAIRS="${1:-16}"
SLOW_SYS="${SLOW_SYS:-0.10}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
command -v /usr/bin/time >/dev/null || { echo "boot-host.sh: GNU time is missing (apt-get install time)" >&2; exit 2; }
# Builds both ISOs (the application image's $STRIX_ISO, the floor's $WORK/floor.iso), their QEMU lines
# (FLOOR_ARGS, STRIX_ARGS: the test engine's machine, QemuConfiguration) and the tools ($TOOLS).
source "$ROOT/host/StrixOS.Benchmarks/BootFloor/prepare.sh"

# One boot: prints "wall_ms user_s sys_s rss_kb".
boot() {
  local status=0 start end
  start=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$WORK/time" timeout 60 qemu-system-x86_64 "$@" >/dev/null 2>&1 || status=$?
  end=$(date +%s%N)
  [[ "$status" -eq 33 ]] || { echo "boot-host.sh: a boot ended with status $status, not 33" >&2; exit 1; }
  read -r user sys rss < <(tail -1 "$WORK/time")
  echo "$(( (end - start) / 1000000 )) $user $sys $rss"
}

echo "uptime: $(uptime)"
for ((i = 1; i <= PAIRS; i++)); do
  f=$(boot "${FLOOR_ARGS[@]}"); s=$(boot "${STRIX_ARGS[@]}")
  echo "floor $f" >>"$WORK/runs"; echo "strix $s" >>"$WORK/runs"
  read -r fw fu fs fr <<<"$f"; read -r sw su ss sr <<<"$s"
  printf 'pair %2d: floor %4d ms user %s sys %s rss %s KB | StrixOS %4d ms user %s sys %s rss %s KB\n' \
    "$i" "$fw" "$fu" "$fs" "$fr" "$sw" "$su" "$ss" "$sr"
done
for who in floor strix; do
  awk -v who="$who" -v slow="$SLOW_SYS" '$1 == who { n++; w[n] = $2; u[n] = $3; s[n] = $4; r[n] = $5; if ($4 + 0 >= slow + 0) k++ }
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { printf "%-7s medians of %d: wall %s ms, user %.2f s, sys %.2f s, max RSS %d KB; boots with sys >= %s s: %d\n",
          (who == "strix" ? "StrixOS" : who), n, median(w, n), median(u, n), median(s, n), median(r, n), slow, k }' "$WORK/runs"
done
