# Oracle for tests/mapper: GUDHI's cover complex (Nerve) on the same points, lens, cover and clustering.
# usage: gudhi_mapper.py points.csv lens.txt intervals gain threshold  -> JSON {"nodes": [[ids]], "edges": [[[ids],[ids]]], "seconds": GUDHI time}
# GUDHI 3.7 clusters a cover set into the connected components of the Rips graph d <= threshold, i.e.
# single linkage cut at `threshold` (= DBSCAN with min_samples 1 and eps = threshold).
import json, os, sys, tempfile, time
import numpy as np
import gudhi.nerve_gic as gic

points = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
lens = np.loadtxt(sys.argv[2], ndmin=1)
# GUDHI caches the distance matrix in ./matrix_dist and reuses any such file it finds: work in a fresh
# folder so a stale cache from other points can never answer, and nothing lands in the caller's folder.
work = tempfile.mkdtemp(prefix="actopo-gudhi-")
os.chdir(work)
start = time.perf_counter()
c = gic.CoverComplex()
c.set_type("Nerve")
c.set_verbose(False)
c.set_point_cloud_from_range(points.tolist())
c.set_function_from_range(lens.tolist())
c.set_color_from_range(lens.tolist())
c.set_graph_from_rips(float(sys.argv[5]))
c.set_resolution_with_interval_number(int(sys.argv[3]))
c.set_gain(float(sys.argv[4]))
c.set_cover_from_function()
c.find_simplices()
st = c.create_simplex_tree()
seconds = time.perf_counter() - start
# subpopulation() reads the node numbering that write_info() sets up (it also writes matrix_sc.txt)
saved = os.dup(2)  # write_info() announces its file on std::clog: keep that off the caller's stderr
os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
c.write_info()
os.dup2(saved, 2)
# simplex-tree vertices are GUDHI's node identifiers; subpopulation() takes their rank among them
names = sorted(s[0] for s, _ in st.get_skeleton(0))
members = {v: sorted(int(i) for i in c.subpopulation(rank)) for rank, v in enumerate(names)}
edges = [[members[s[0]], members[s[1]]] for s, _ in st.get_skeleton(1) if len(s) == 2]
for name in os.listdir(work):
    os.remove(os.path.join(work, name))
os.rmdir(work)
print(json.dumps({"nodes": sorted(members.values()), "edges": edges, "seconds": seconds}))
