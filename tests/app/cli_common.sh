# SPDX-License-Identifier: Apache-2.0
# Sourced by the command-line test scripts after `set -uo pipefail`: WORK, a temporary folder removed on exit (made
# writable first: a test may leave read-only folders in it), and fail MESSAGE, which prints "FAIL: MESSAGE" and exits 1.
WORK=$(mktemp -d)
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
