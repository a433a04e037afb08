# SPDX-License-Identifier: Apache-2.0
"""The checks of the command-line tests written in Python (tests/app/*.py, run as scripts: their folder is on
sys.path): check() prints and counts a failed check and lets the script go on; finish() exits non-zero with how many
failed. One copy for all the scripts."""
import sys

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def finish():
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
