#!/usr/bin/env bash
# A process killed anywhere during `custos crl` leaves a consistent inventory, and the
# next CRL's number is strictly above every CRL ever written to disk: ca_crash.sh's kill
# loop (every openat, write, pwrite64, fsync, fdatasync, ftruncate, link, rename, unlink
# of a crl run, by strace) with CA_CRASH_VERBS=crl.  See ca_crash.sh for the checks.
CA_CRASH_VERBS=crl exec bash "$(dirname "$0")/ca_crash.sh"
