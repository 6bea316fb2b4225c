#!/usr/bin/env python3
"""A host's link with delay, loss and a partition, in user space, for scripts/multihost-test.sh.

What `tc qdisc ... netem` does on a host's interface, for kernels without sch_netem (and without
tc classifiers, which a partition by peer address needs): the host's interface is a TAP device
(`--inner`, inside the host's namespace), its wire another TAP device (`--outer`, a port of the
bridge), and this process carries every Ethernet frame between the two. Frames the host sends
(inner → outer) are held `delay_ms` and dropped with the probability `loss`, as netem on the
host's egress does; frames from or to an address of `block` are dropped both ways (a
partition). The settings are read from the JSON file `--control` whenever it changes, e.g.
`{"delay_ms": 200, "loss": 0.1, "block": ["10.77.0.4"]}`; frames keep their order.

Both TAP devices must exist (`ip tuntap add NAME mode tap`): `--outer` in the namespace this
process starts in, `--inner` in the namespace `--netns` (a path such as /run/netns/tsr-r1),
which the process then joins (so it is one of that namespace's processes). A TAP device must not
change namespace while it is attached. It prints "attached" when both are, and ends when either
device goes away, or when the process `--parent` is gone.
"""
import argparse
import collections
import errno
import ctypes
import fcntl
import json
import os
import random
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def attach(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def gone(error):
    """Whether an error of a TAP device's descriptor means the device is gone (else: the
    frame is lost, e.g. EIO while the interface is down)."""
    return error.errno in (errno.EBADFD, errno.ENODEV, errno.ENXIO)


def join_namespace(path):
    CLONE_NEWNET = 0x40000000
    libc = ctypes.CDLL(None, use_errno=True)
    with open(path) as namespace:
        if libc.setns(namespace.fileno(), CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"setns {path}: {os.strerror(error)}")


def ipv4_addresses(frame):
    """(source, destination) of an IPv4 frame, else None (ARP and the rest pass)."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    return frame[26:30], frame[30:34]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", required=True)
    parser.add_argument("--outer", required=True)
    parser.add_argument("--netns", required=True)
    parser.add_argument("--control", required=True)
    parser.add_argument("--parent", type=int, default=0)
    options = parser.parse_args()

    outer = attach(options.outer)
    join_namespace(options.netns)
    inner = attach(options.inner)
    print("attached", flush=True)
    settings = {"delay_ms": 0.0, "loss": 0.0, "block": set()}
    control_stamp = None
    # Frames waiting for their time, per direction, in order: (due, frame).
    queues = {outer: collections.deque(), inner: collections.deque()}
    last_due = {outer: 0.0, inner: 0.0}
    next_check = 0.0

    while True:
        now = time.monotonic()
        if now >= next_check:
            next_check = now + 0.05
            if options.parent and not os.path.exists(f"/proc/{options.parent}"):
                return 0
            try:
                stamp = os.stat(options.control).st_mtime_ns
            except FileNotFoundError:
                stamp = None
            if stamp is not None and stamp != control_stamp:
                control_stamp = stamp
                try:
                    with open(options.control) as file:
                        wanted = json.load(file)
                    settings = {
                        "delay_ms": float(wanted.get("delay_ms", 0)),
                        "loss": float(wanted.get("loss", 0)),
                        "block": {socket.inet_aton(address) for address in wanted.get("block", [])},
                    }
                except (OSError, ValueError) as error:
                    print(f"linkshaper: ignoring {options.control}: {error}", file=sys.stderr, flush=True)

        # Send what is due.
        for target, queue in queues.items():
            while queue and queue[0][0] <= now:
                _, frame = queue.popleft()
                try:
                    os.write(target, frame)
                except BlockingIOError:
                    pass  # the device's queue is full: a lost frame, as on a wire
                except OSError as error:
                    if gone(error):
                        return 0

        waits = [queue[0][0] - now for queue in queues.values() if queue]
        timeout = max(0.0, min(waits + [next_check - now]))
        try:
            readable, _, _ = select.select([inner, outer], [], [], timeout)
        except InterruptedError:
            continue
        for source in readable:
            target = outer if source == inner else inner
            for _ in range(64):
                try:
                    frame = os.read(source, 65536)
                except BlockingIOError:
                    break
                except OSError as error:
                    if gone(error):
                        return 0
                    break
                if not frame:
                    return 0
                addresses = ipv4_addresses(frame)
                if addresses and settings["block"] and (addresses[0] in settings["block"] or addresses[1] in settings["block"]):
                    continue
                delay = 0.0
                if source == inner:
                    if settings["loss"] > 0 and random.random() < settings["loss"]:
                        continue
                    delay = settings["delay_ms"] / 1000
                if delay == 0 and not queues[target]:
                    try:
                        os.write(target, frame)
                    except BlockingIOError:
                        pass
                    except OSError as error:
                        if gone(error):
                            return 0
                    continue
                due = max(time.monotonic() + delay, last_due[target])
                last_due[target] = due
                queues[target].append((due, frame))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
