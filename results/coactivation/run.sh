#!/bin/sh
# Reproduces results/coactivation/ from the repository root:
#   sh results/coactivation/run.sh BUILD/actopo MODEL-STORE.h5 [CHECKPOINT-STORES...]
# MODEL-STORE: `actopo extract --model cnn.pt --dataset fashion-mnist:test --layers all --limit 2000 -o cnn-test.h5`
# of the CNN from `actopo train --arch cnn --epochs 2 --seed 1`.
set -e
A=${1:?path of the actopo program}; S=${2:?activation store}; shift 2
R=results/coactivation
# Co-activation graph of the last hidden layer (relu3, 64 units) and the 10 class logits.
$A coactivation "$S" --layers relu3 --signed --threshold 0.5 --seed 1 --force -o $R/graph-relu3.json \
   --graphml $R/graph-relu3.graphml --picture $R/graph-relu3.svg --top-csv $R/top-relu3.csv 2> $R/graph-relu3.log
$A coactivation "$S" --layers relu3 --signed --threshold 0.5 --seed 1 --force -q -o /dev/null --picture $R/graph-relu3.png 2>/dev/null || true
# Three layers (conv channels averaged over space).
$A coactivation "$S" --layers relu1,relu2,relu3 --signed --threshold 0.5 --seed 1 --force -o $R/graph-all.json \
   --picture $R/graph-all.svg 2> $R/graph-all.log
# Absolute threshold, for contrast.
$A coactivation "$S" --layers relu3 --threshold 0.5 --seed 1 --force -o $R/graph-relu3-abs.json 2> $R/graph-relu3-abs.log
# Every similarity metric, layer x layer, then side by side with a diagram distance.
for m in cka rbf-cka debiased-cka svcca pwcca procrustes rsa; do
  $A similarity "$S" --metric $m --points 2000 --seed 0 --force -q -o $R/similarity-$m.csv --heatmap $R/similarity-$m.svg
done
$A distances "$S" --metric sliced-wasserstein --dim 1 --points 500 --seed 0 --force -q -o $R/distances-sw1.csv
$A compare $R/similarity-cka.csv $R/similarity-rbf-cka.csv $R/similarity-debiased-cka.csv $R/similarity-svcca.csv \
   $R/similarity-pwcca.csv $R/similarity-procrustes.csv $R/similarity-rsa.csv sliced-wasserstein-h1=$R/distances-sw1.csv \
   --permutations 9999 --seed 1 --force -o $R/compare 2> $R/compare.log
# Modularity and entropy across training checkpoints, next to accuracy.
if [ $# -gt 0 ]; then
  $A coactivation "$@" --layers relu1,relu2,relu3 --signed --threshold 0.5 --seed 1 --force -q -o $R/checkpoints.csv
fi
