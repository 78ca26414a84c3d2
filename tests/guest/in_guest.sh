#!/bin/bash
# Runs in the guest of boot.sh, chrooted into this machine's root: each named
# suite in its own bash (a suite's functions and state end with it), between
# markers boot.sh splits the console log by.
#
#   in_guest.sh TOP SUITE...
top=$1; shift
for suite in "$@"; do
  echo "GUEST-SUITE-BEGIN $suite"
  bash "$top/tests/guest/$suite.sh" "$top"
  echo "GUEST-SUITE-END $suite"
done
