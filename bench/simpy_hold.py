#!/usr/bin/env python3
"""The hold model on SimPy (Debian's python3-simpy, SimPy 2.3), for bench/compare_simpy.sh.

The same model as BM_KernelHold in bench/kernel_bench.cc: Q processes each wait a random time
uniform in [1, 1,000,000] ns and wait again, so Q events are always pending. Prints the events
per second SimPy processes, measured over N events after a warm-up.

Usage: /usr/bin/python3 bench/simpy_hold.py [Q] [N]
"""
import random
import sys
import time

from SimPy.Simulation import Process, activate, hold, initialize, simulate

MAX_INCREMENT_NS = 1_000_000


class Holder(Process):
    counter = [0]

    def run(self, rng):
        while True:
            yield hold, self, rng.randint(1, MAX_INCREMENT_NS)
            Holder.counter[0] += 1


def events_per_second(q, n):
    rng = random.Random(2026)
    initialize()
    Holder.counter[0] = 0
    for _ in range(q):
        p = Holder()
        activate(p, p.run(rng))
    # Each process holds on average 500,000 ns: n events take about n * 500,000 / q ns.
    horizon = n * (MAX_INCREMENT_NS / 2) / q
    start = time.perf_counter()
    simulate(until=horizon)
    wall = time.perf_counter() - start
    return Holder.counter[0] / wall, Holder.counter[0], wall


if __name__ == "__main__":
    q = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    events_per_second(q, n // 10)  # warm-up
    rate, events, wall = events_per_second(q, n)
    print(f"simpy_hold q={q} events={events} wall_s={wall:.3f} events_per_s={rate:.0f}")
