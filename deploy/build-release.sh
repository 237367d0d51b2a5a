#!/usr/bin/env bash
# Builds the release binary of `syncrules` the way the Containerfile's build stage does,
# without a container engine (CI runs this; so can a developer). Prints the binary's
# path on standard output.
#
#   deploy/build-release.sh              # what the image ships: Swift runtime linked in
#   deploy/build-release.sh --dynamic    # Swift runtime as shared libraries (comparison)
#   deploy/build-release.sh --output DIR # also copy the stripped binary to DIR/syncrules
#
# Needs the Swift 6 toolchain and the development packages libyaml-dev and libre2-dev
# (the Containerfile installs the same). deploy/README.md ("The image") says why the
# Swift runtime is linked statically.
set -euo pipefail
cd "$(dirname "$0")/.."

static=(--static-swift-stdlib)
output=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dynamic) static=() ;;
    --output) output="${2:?--output needs a directory}"; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-release.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# The build stage of the Containerfile runs exactly this line.
swift build -c release --product syncrules "${static[@]}" >&2

binary="$(swift build -c release --product syncrules "${static[@]}" --show-bin-path)/syncrules"
if [ -n "$output" ]; then
  mkdir -p "$output"
  # Debug information is most of the file (94.7 MB → 34.8 MB, measured); symbol names stay,
  # so a crash's backtrace still names functions.
  strip --strip-debug -o "$output/syncrules" "$binary"
  binary="$output/syncrules"
fi
echo "$binary"
