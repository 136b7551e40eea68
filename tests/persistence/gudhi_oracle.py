"""Oracle for the persistence tests: python3-gudhi's RipsComplex + persistence on a float32 lower
triangle. Usage: gudhi_oracle.py LOWER.bin N MAX_DIM THRESHOLD COEFF; prints "dim birth death" lines."""
import sys

import gudhi
import numpy as np

path, n, max_dim, threshold, coeff = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
flat = np.fromfile(path, dtype=np.float32).astype(np.float64)
rows, k = [[]], 0
for i in range(1, n):
    rows.append(flat[k:k + i].tolist())
    k += i
st = gudhi.RipsComplex(distance_matrix=rows, max_edge_length=threshold).create_simplex_tree(max_dimension=max_dim + 1)
for dim, (b, d) in st.persistence(homology_coeff_field=coeff, min_persistence=0):
    if dim <= max_dim:
        print(dim, repr(float(b)), "inf" if d == float("inf") else repr(float(d)))
