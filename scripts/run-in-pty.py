#!/usr/bin/env python3
"""Runs COMMAND on a pseudo-terminal COLUMNS wide and copies everything it writes there to stdout: what a user's
terminal would receive. For the CLI's terminal tests (Tests/DistEmbedTests/TerminalTests.swift).

Usage: run-in-pty.py COLUMNS COMMAND [ARGUMENT]...

Exits with COMMAND's status. Newlines are passed through unchanged (no carriage return added), so a carriage
return in the output is one the command wrote.
"""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

columns = int(sys.argv[1])
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
attributes = termios.tcgetattr(slave)
attributes[1] &= ~termios.ONLCR
termios.tcsetattr(slave, termios.TCSANOW, attributes)
process = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave, close_fds=True)
os.close(slave)
while True:
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO once the command's side is closed
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
sys.stdout.buffer.flush()
sys.exit(process.wait())
