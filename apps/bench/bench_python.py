"""The Python side of `actopo bench --suite python`: apps/bench/bench_python.cpp runs it with Debian's python3 beside
itself and alternates its own C++ call with the calls it asks this process for, so that both see the same load.

argv[1]: a JSON file, a list of {"name", "path", "maxdim", "thresh" (null: none)}. The clouds are read (float32, the
library's precision) before the line {"ready": true}; then each line of stdin is a request answered by one JSON
line, until the end of stdin:
  "rips K M"   M calls of actopo.rips on input K, the cloud already a numpy array;
  "gudhi K M"  M times gudhi.RipsComplex(points, max_edge_length).create_simplex_tree(max_dimension=maxdim+1) and
               its persistence on input K;
each answered by {"wall_s", "cpu_s" (seconds of the M calls; CPU: every thread, time.process_time), "pairs" (finite
and essential pairs per dimension)}."""
import json
import sys
import time

import numpy as np

import actopo


def timed(fn, calls):
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(calls):
        dgms = fn()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    pairs = [int(((d[:, 1] > d[:, 0]) | np.isinf(d[:, 1])).sum()) for d in dgms]
    return {"wall_s": wall, "cpu_s": cpu, "pairs": pairs}


def run_rips(X, case, thresh):
    return actopo.rips(X, maxdim=case["maxdim"], thresh=thresh)["dgms"]


def run_gudhi(X, case, thresh):
    import gudhi
    st = gudhi.RipsComplex(points=X.astype(np.float64), max_edge_length=thresh).create_simplex_tree(
        max_dimension=case["maxdim"] + 1)
    st.compute_persistence(homology_coeff_field=2)
    return [np.array(st.persistence_intervals_in_dimension(k)).reshape(-1, 2) for k in range(case["maxdim"] + 1)]


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    clouds = [np.loadtxt(c["path"], dtype=np.float32) for c in cases]
    threshs = [np.inf if c["thresh"] is None else c["thresh"] for c in cases]
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        what, k, calls = line.split()
        k = int(k)
        run = {"rips": run_rips, "gudhi": run_gudhi}[what]
        print(json.dumps(timed(lambda: run(clouds[k], cases[k], threshs[k]), int(calls))), flush=True)


if __name__ == "__main__":
    main()
