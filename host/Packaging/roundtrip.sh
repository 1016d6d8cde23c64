#!/usr/bin/env bash
# The SDK round trip (issue 18), as a user outside this repository would do it:
#   pack the StrixOS packages into a local feed under host/Packaging/bin/feed,
#   in a fresh temporary folder: dotnet new install StrixOS.Templates (a private template hive),
#   dotnet new strixos + strixos-test, dotnet build (no warnings), dotnet run (the kernel echoes a
#   line typed on its serial console), dotnet test (each [KernelTest] a passing test case), and a
#   build with the host tools hidden from PATH (one STRIX0010 error with the apt-get line).
# NuGet gets StrixOS.* only from the local feed (package source mapping) into a private packages
# folder; everything else resolves from the machine's NuGet cache (a fallback folder) or nuget.org.
# Usage: roundtrip.sh [--no-build]   (--no-build: pack what is already built, Debug)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { printf 'roundtrip: %s\n' "$*" >&2; }
die() { printf 'roundtrip: FAILED: %s\n' "$*" >&2; exit 1; }

pack_args=(-c Debug -nologo -tl:off -v:q)
[[ "${1:-}" == "--no-build" ]] && pack_args+=(--no-build)
version="$(sed -n 's:.*<StrixOSVersion>\(.*\)</StrixOSVersion>.*:\1:p' "$ROOT/host/Packaging/StrixOS.Package.props")"
[[ -n "$version" ]] || die "no StrixOSVersion in host/Packaging/StrixOS.Package.props"
feed="$ROOT/host/Packaging/bin/feed"
rm -rf "$feed"
mkdir -p "$feed"

say "packing StrixOS $version into $feed"
# One dotnet pack for the five packable projects (a solution filter of StrixOS.sln).
log="$(dotnet pack "$ROOT/host/Packaging/StrixOS.Packages.slnf" "${pack_args[@]}" -o "$feed" 2>&1)" || { printf '%s\n' "$log" >&2; die "dotnet pack"; }
if grep -q ': warning ' <<<"$log"; then printf '%s\n' "$log" >&2; die "dotnet pack printed warnings"; fi
for id in StrixOS.Core StrixOS StrixOS.TestEngine StrixOS.Sdk StrixOS.Templates; do
  [[ -f "$feed/$id.$version.nupkg" ]] || die "no $id.$version.nupkg in $feed"
done
# The samples restore from this feed into a folder of the repository (samples/nuget.config): new
# packages of the same version must be extracted again there.
rm -rf "$ROOT/host/Packaging/bin/packages"/strixos "$ROOT/host/Packaging/bin/packages"/strixos.*

work="$(mktemp -d "${TMPDIR:-/tmp}/strixos-roundtrip.XXXXXX")"
trap 'rm -rf "$work"' EXIT
[[ "$work" != "$ROOT"/* ]] || die "the temporary folder $work is inside the repository"
cd "$work"
cat >nuget.config <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources>
    <clear />
    <add key="strixos-local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="strixos-local"><package pattern="StrixOS" /><package pattern="StrixOS.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
  <fallbackPackageFolders><clear /><add key="machine-cache" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" /></fallbackPackageFolders>
</configuration>
CONFIG
export NUGET_PACKAGES="$work/packages"
hive=(--debug:custom-hive "$work/hive")

say "dotnet new install StrixOS.Templates; dotnet new strixos -n MyOS; dotnet new strixos-test -n MyOS.Tests (in $work)"
dotnet new install "$feed/StrixOS.Templates.$version.nupkg" "${hive[@]}" >new.log 2>&1 || { cat new.log >&2; die "dotnet new install"; }
dotnet new strixos -n MyOS "${hive[@]}" >>new.log 2>&1 || { cat new.log >&2; die "dotnet new strixos"; }
dotnet new strixos-test -n MyOS.Tests "${hive[@]}" >>new.log 2>&1 || { cat new.log >&2; die "dotnet new strixos-test"; }
grep -q "Sdk=\"StrixOS.Sdk/$version\"" MyOS/MyOS.csproj || die "MyOS.csproj does not use StrixOS.Sdk/$version"

say "dotnet build MyOS"
dotnet build MyOS -nologo -tl:off >build.log 2>&1 || { cat build.log >&2; die "dotnet build MyOS"; }
if grep -qE ': warning ' build.log; then grep -E ': warning ' build.log | sort -u >&2; die "dotnet build MyOS printed warnings"; fi
[[ -f MyOS/bin/Debug/strix.iso ]] || die "dotnet build MyOS made no MyOS/bin/Debug/strix.iso"
for id in strixos.sdk strixos strixos.core; do
  [[ -d "$work/packages/$id/$version" ]] || die "$id $version was not restored from the local feed"
done

say "dotnet run --project MyOS (a line typed on the serial console after the prompt)"
# Typed after the prompt, as a person would: the serial port drops what arrives while it is set up.
mkfifo serial-in
timeout 300 dotnet run --project MyOS --no-build <serial-in >run.log 2>&1 &
runner=$!
exec 3>serial-in
for _ in $(seq 1 240); do grep -q 'Input: ' run.log && break; sleep 1; done
printf 'hello from the round trip\n' >&3
for _ in $(seq 1 60); do grep -q 'Text typed: hello from the round trip' run.log && break; sleep 1; done
kill "$runner" 2>/dev/null || true    # timeout passes the signal on to dotnet run and QEMU
wait "$runner" 2>/dev/null || true
exec 3>&-
grep -q 'Booted. Type a line of text to get it echoed back.' run.log || { cat run.log >&2; die "dotnet run: no greeting from the kernel"; }
grep -q 'Text typed: hello from the round trip' run.log || { cat run.log >&2; die "dotnet run: the typed line was not echoed"; }

say "dotnet test MyOS.Tests"
# The template's default machines (two), whatever the surrounding test run asked for.
unset STRIX_MATRIX STRIX_ISO STRIX_TEST_FILTER
# A loaded machine (the rest of ./strix test runs beside this) can take more than the default 60 s per boot.
export STRIX_TEST_TIMEOUT="${STRIX_TEST_TIMEOUT:-180}"
dotnet test MyOS.Tests -nologo -tl:off --logger "console;verbosity=normal" >test.log 2>&1 || { cat test.log >&2; die "dotnet test MyOS.Tests"; }
if grep -qE ': warning ' test.log; then grep -E ': warning ' test.log | sort -u >&2; die "dotnet test MyOS.Tests printed warnings"; fi
for test in Kernel.Lists_and_dictionaries_work Kernel.Strings_format; do
  grep -qE "Passed MyOS\.Tests\.KernelTests\.InKernel\(machine: \"[^\"]+\", test: \"$test\"\)" test.log \
    || { cat test.log >&2; die "dotnet test did not report $test as passed"; }
done
total="$(sed -n 's/^Total tests: \([0-9]*\).*/\1/p' test.log | tail -1)"
passed="$(sed -n 's/^ *Passed: \([0-9]*\).*/\1/p' test.log | tail -1)"
[[ -n "$total" && "$total" == "$passed" && "$total" -eq 6 ]] || { cat test.log >&2; die "dotnet test: $passed of $total passed (expected 2 tests and a clean run on 2 machines)"; }
summary="$passed of $total passed"

say "dotnet build MyOS without the host tools on PATH"
mkdir -p nopath
for tool in dotnet bash sh; do ln -sf "$(command -v "$tool")" "nopath/$tool"; done
status=0
PATH="$work/nopath" dotnet build MyOS -nologo -tl:off --no-restore >missing.log 2>&1 || status=$?
[[ "$status" -ne 0 ]] || die "the build without nasm on PATH succeeded"
grep -q 'error STRIX0010: StrixOS needs Debian packages that are not installed: nasm binutils lz4 grub-common xorriso mtools. Install them with: sudo apt-get install -y nasm' missing.log \
  || { cat missing.log >&2; die "no STRIX0010 error naming the packages"; }

say "passed: packages $version, template, build, run, test ($summary), missing-tools error"
