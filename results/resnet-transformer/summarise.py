#!/usr/bin/python3
"""Numbers for results/resnet-transformer/README.md from the two experiments' outputs (run from this folder):
per layer, untrained vs trained (linear CKA, sliced-Wasserstein H0/H1 between the two models' same layer), the mean
CKA between neighbouring layers within each model, and per Mapper graph of the class token its size and how pure its
nodes are (the share of members in their node's majority class, weighted by node size).
  /usr/bin/python3 summarise.py > summary.md
"""
import csv
import glob
import json
import os


def matrix(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    names = rows[0][1:]
    return names, {(r[0], names[j]): float(v) for r in rows[1:] for j, v in enumerate(r[1:])}


def layers_of(names, model):
    return [n.split(":", 1)[1] for n in names if n.startswith(model + ":")]


def study(name):
    print("## %s\n" % name)
    names, cka = matrix(os.path.join(name, "similarity", "cka.csv"))
    sw = {d: matrix(os.path.join(name, "distances", "sliced-wasserstein-h%d.csv" % d))[1] for d in (0, 1)}
    layers = layers_of(names, "trained")
    print("| layer | CKA untrained-trained | SW H0 untrained-trained | SW H1 untrained-trained |")
    print("|---|---|---|---|")
    for l in layers:
        u, t = "untrained:" + l, "trained:" + l
        print("| %s | %.3f | %.3f | %.3f |" % (l, cka[(u, t)], sw[0][(u, t)], sw[1][(u, t)]))
    for model in ("untrained", "trained"):
        pairs = [("%s:%s" % (model, a), "%s:%s" % (model, b)) for a, b in zip(layers, layers[1:])]
        first_last = ("%s:%s" % (model, layers[0]), "%s:%s" % (model, layers[-1]))
        print("\n%s: CKA of neighbouring layers %s; first to last layer %.3f; SW H1 of neighbouring layers %s" % (
            model, ", ".join("%.3f" % cka[p] for p in pairs), cka[first_last], ", ".join("%.2f" % sw[1][p] for p in pairs)))
    graphs = sorted(glob.glob(os.path.join(name, "mapper", "*", "*.json")))
    graphs = [g for g in graphs if not os.path.basename(g).startswith(("hierarchy", "summary", "index"))]
    if graphs:
        print("\n| Mapper graph | nodes | edges | components | weighted purity |")
        print("|---|---|---|---|---|")
        for g in graphs:
            with open(g) as f:
                d = json.load(f)
            if "nodes" not in d:
                continue
            nodes, links = d["nodes"], d.get("links", [])
            parent = {n["id"]: n["id"] for n in nodes}

            def find(a):
                while parent[a] != a:
                    parent[a] = parent[parent[a]]
                    a = parent[a]
                return a
            for e in links:
                parent[find(e["source"])] = find(e["target"])
            size = sum(n["size"] for n in nodes)
            purity = sum(n["purity"] * n["size"] for n in nodes) / size if size else 0
            print("| %s | %d | %d | %d | %.3f |" % (os.path.relpath(g, name), len(nodes), len(links),
                                                  len({find(n["id"]) for n in nodes}), purity))
    print()


if __name__ == "__main__":
    for name in ("resnet", "transformer"):
        if os.path.isdir(name):
            study(name)
