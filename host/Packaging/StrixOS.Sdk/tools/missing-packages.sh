#!/usr/bin/env bash
# Prints the Debian packages whose probe is missing, space-separated (nothing when all are there).
# Arguments: PACKAGE:PROBE pairs; a probe is a command on PATH or an absolute path that must exist.
# Cosmos.targets turns the answer into one build error with the apt-get line, as ./strix does.
missing=()
for entry in "$@"; do
  package="${entry%%:*}" probe="${entry#*:}"
  if [[ "$probe" == /* ]]; then
    [[ -e "$probe" ]] && continue
  else
    command -v "$probe" >/dev/null 2>&1 && continue
  fi
  [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
done
printf '%s' "${missing[*]}"
