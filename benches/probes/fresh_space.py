#!/usr/bin/env python3
"""What appending into fresh file space costs on this machine's filesystem (issue 23).

The raw publish probe of `engine_ratio` rewrites a preallocated, zero-filled file: 100 frames of
1,048 bytes per `pwrite` + `fdatasync`. A log that grows cannot do that for its new segments.
This probe makes the same writes three ways, twice each:

- zeroed:     into a file zero-filled and synced beforehand (the rewrite probe);
- fallocated: into a file `posix_fallocate`d and synced beforehand (on ext4, unwritten extents:
              every `fdatasync` also commits the extent conversion to the journal);
- append:     appended to an empty file (every `fdatasync` also commits the new size and blocks).

Usage: python3 benches/probes/fresh_space.py [DIR]   (DIR: where the 256 MiB files go; default
the current directory; it must be on the filesystem under test). Prints events/s and MB/s.
"""
import os
import sys
import time

FRAME = 1048
PER_SYNC = 100
WRITE = PER_SYNC * FRAME
FILE_BYTES = 256 << 20
SECS = 2.0


def run(directory, name, prepare):
    path = os.path.join(directory, f"fresh-space-{name}")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    try:
        prepare(fd)
        buf = b"\x5a" * WRITE
        off = events = 0
        start = time.monotonic()
        while time.monotonic() - start < SECS and off + WRITE <= FILE_BYTES:
            os.pwrite(fd, buf, off)
            os.fdatasync(fd)
            off += WRITE
            events += PER_SYNC
        elapsed = time.monotonic() - start
    finally:
        os.close(fd)
        os.unlink(path)
    print(f"{name:11} {events / elapsed:9.0f} events/s  ({off / elapsed / 1e6:4.0f} MB/s)")


def zeroed(fd):
    zeros = b"\0" * (1 << 20)
    for mib in range(FILE_BYTES >> 20):
        os.pwrite(fd, zeros, mib << 20)
    os.fsync(fd)


def fallocated(fd):
    os.posix_fallocate(fd, 0, FILE_BYTES)
    os.fsync(fd)


def append(_fd):
    pass


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "."
    for _ in range(2):
        for name, prepare in (("zeroed", zeroed), ("fallocated", fallocated), ("append", append)):
            run(directory, name, prepare)


if __name__ == "__main__":
    main()
