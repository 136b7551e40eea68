#!/usr/bin/python3
"""The study's table from its files: per community of coactivation.json, its neurons and classes, and from
ablate/community-<c>.json the accuracy drop per class beside the random-unit baseline. Markdown on stdout.
  /usr/bin/python3 results/fashion-trace/summarise.py results/fashion-trace > results/fashion-trace/summary.md
"""
import json
import os
import sys


def main(here):
    graph = json.load(open(os.path.join(here, "coactivation.json")))
    communities = sorted({n["community"] for n in graph["nodes"] if n["kind"] == "neuron"})
    print("| community | neurons | classes in it: drop (p) | all inputs: drop (random: mean +- sd) | other classes with p <= 0.05: drop (p) |")
    print("|---|---|---|---|---|")
    for c in communities:
        report = json.load(open(os.path.join(here, "ablate", "community-%d.json" % c)))
        neurons = [n for n in graph["nodes"] if n["kind"] == "neuron" and n["community"] == c]
        own = set(report["ablated"]["classes"])
        rows = report["rows"]
        everything = next(r for r in rows if r["group"] == "all")
        shown = lambda r: "%s %+.1f (%.3f)" % (r["group"], 100 * r["drop"], r["p_value"])
        inside = [shown(r) for r in rows if r["label"] in own]
        others = sorted((r for r in rows if r["label"] >= 0 and r["label"] not in own and r["p_value"] <= 0.05),
                        key=lambda r: -r["drop"])
        print("| %d | %d | %s | %+.1f (%+.1f +- %.1f) | %s |" % (
            c, len(neurons), "; ".join(inside) or "-", 100 * everything["drop"], 100 * everything["baseline_mean"],
            100 * everything["baseline_sd"], "; ".join(shown(r) for r in others) or "none"))
    print()
    print("Drops in percentage points of accuracy on the 2000 test images (200 per class or so); baseline: %d draws of "
          "as many random relu3 units; p = (1 + draws dropping at least as much) / (1 + draws), smallest possible %.3f."
          % (report["meta"]["baseline_draws"], 1.0 / (1 + report["meta"]["baseline_draws"])))


if __name__ == "__main__":
    main(sys.argv[1])
