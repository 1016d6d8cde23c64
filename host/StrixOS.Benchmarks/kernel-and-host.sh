# Sourced by the kernel-against-host benchmarks that run their host side under the JIT (gc.sh, threads.sh).
# run_kernel_and_host BENCH HOSTPROJECT: boots the kernel (1 GiB, command line bench=BENCH) and runs the same C#
# built from host/StrixOS.Benchmarks/HOSTPROJECT; both logs land in $work. Then sets kc/hc (ns per 10-frame
# call chain on each side) and slow (their ratio: QEMU's emulation slowdown, divided out in the last column).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

field() { grep -o "$1.*$2=[0-9.]*" "$3" | head -1 | sed 's/.*=//'; }

run_kernel_and_host() {
  "$ROOT/strix" run --memory 1G --cmdline "bench=$1" >"$work/kernel.log" 2>&1 || { cat "$work/kernel.log" >&2; exit 1; }
  dotnet build -c Release -o "$work/host" "$ROOT/host/StrixOS.Benchmarks/$2/$2.csproj" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; exit 1; }
  dotnet "$work/host/$2.dll" >"$work/host.log"
  kc=$(field "call-chain" ns-per-cycle "$work/kernel.log"); hc=$(field "call-chain" ns-per-cycle "$work/host.log")
  slow=$(awk -v k="$kc" -v h="$hc" 'BEGIN { printf "%.3f", k / h }')
}
