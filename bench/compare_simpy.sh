#!/usr/bin/env bash
# ebsim's kernel against SimPy on the hold model, on this machine, in one run: the events/s
# ratio is measured, not quoted (issue 6). Needs python3-simpy (apt-get install python3-simpy).
# Usage: bench/compare_simpy.sh [build dir, default build] [Q, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
q="${2:-1000}"
if ! /usr/bin/python3 -c "import SimPy.Simulation" 2>/dev/null; then
  echo "compare_simpy: SimPy is missing; apt-get install python3-simpy" >&2
  exit 2
fi
ebsim=$("$build/bench/kernel_bench" --benchmark_filter="BM_KernelHold/$q\$" \
          --benchmark_min_time=1 --benchmark_format=json |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["benchmarks"][0]["items_per_second"])')
simpy_line=$(/usr/bin/python3 bench/simpy_hold.py "$q" 1000000)
simpy=$(sed -n 's/.*events_per_s=\([0-9.]*\).*/\1/p' <<<"$simpy_line")
echo "hold model, Q=$q, this machine:"
printf '  ebsim Scheduler  %14.0f events/s\n' "$ebsim"
printf '  SimPy 2.3        %14.0f events/s   (%s)\n' "$simpy" "$simpy_line"
/usr/bin/python3 -c "print(f'  ratio ebsim : SimPy = {float($ebsim) / float($simpy):.0f} : 1')"
