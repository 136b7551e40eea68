"""The Python side of `actopo bench --suite python` (apps/bench/bench_python.cpp runs it with Debian's python3):
in one process, actopo.rips and GUDHI's RipsComplex + persistence on the same point clouds.

argv[1]: JSON list of {"name", "path", "maxdim", "thresh" (null: none), "reps", "gudhi" (bool)}.
Prints one JSON object per case: actopo_s and actopo_min_s (median and fastest wall seconds of actopo.rips, the
array already in memory), actopo_cpu_s (median CPU seconds of the call, every thread),
actopo_pairs (finite and essential pairs per dimension), gudhi_s and gudhi_pairs (null when not run)."""
import json
import statistics
import sys
import time

import numpy as np

import actopo


def timed(fn, reps):
    """fn's result, the median and fastest wall seconds, and the median CPU seconds (every thread) of reps runs."""
    out, seconds, cpu = None, [], []
    for r in range(reps + (reps > 1)):  # one warm-up when repeating, as the C++ suites' time_runs
        start, cpu_start = time.perf_counter(), time.process_time()
        out = fn()
        if r or reps == 1:
            seconds.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
    return out, statistics.median(seconds), min(seconds), statistics.median(cpu)


def pairs(dgms):
    return [int(((d[:, 1] > d[:, 0]) | np.isinf(d[:, 1])).sum()) for d in dgms]


def main():
    for case in json.loads(sys.argv[1]):
        X = np.loadtxt(case["path"], dtype=np.float32)
        thresh = np.inf if case["thresh"] is None else case["thresh"]
        res, actopo_s, actopo_min, actopo_cpu = timed(lambda: actopo.rips(X, maxdim=case["maxdim"], thresh=thresh),
                                                      case["reps"])
        row = {"name": case["name"], "actopo_s": actopo_s, "actopo_min_s": actopo_min, "actopo_cpu_s": actopo_cpu,
               "actopo_pairs": pairs(res["dgms"]), "gudhi_s": None, "gudhi_pairs": None}
        if case["gudhi"]:
            import gudhi

            def run_gudhi():
                st = gudhi.RipsComplex(points=X.astype(np.float64), max_edge_length=thresh).create_simplex_tree(
                    max_dimension=case["maxdim"] + 1)
                st.compute_persistence(homology_coeff_field=2)
                return [np.array(st.persistence_intervals_in_dimension(k)).reshape(-1, 2)
                        for k in range(case["maxdim"] + 1)]

            dgms, row["gudhi_s"], _, _ = timed(run_gudhi, 1)
            row["gudhi_pairs"] = pairs(dgms)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
