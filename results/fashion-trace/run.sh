#!/bin/sh
# Reference study (issue 14): which classes lose accuracy when each co-activation community of the reference
# CNN's last hidden layer (relu3) is ablated, against random units of the same count. Run from the repository
# root with the built program:
#   sh results/fashion-trace/run.sh build/actopo
# The model is the reference CNN of results/fashion-explain (actopo's `cnn`, 3 epochs, seed 1): taken from
# $MODEL when it exists (default: where results/fashion-explain/run.sh leaves it), else trained here (~13 min).
# The store (large) goes to $WORK (default /tmp/actopo-fashion-trace), the graph, reports and charts here.
set -e
ACTOPO=${1:-actopo}
HERE=$(dirname "$0")
WORK=${WORK:-/tmp/actopo-fashion-trace}
MODEL=${MODEL:-/tmp/actopo-fashion-explain/cnn.pt}
DRAWS=${DRAWS:-100}
mkdir -p "$WORK" "$HERE/ablate" "$HERE/mapper"
export SOURCE_DATE_EPOCH=1700000000
if [ ! -f "$MODEL" ]; then
  MODEL="$WORK/cnn.pt"
  $ACTOPO train --quiet --arch cnn --epochs 3 --seed 1 --force -o "$MODEL" | tee "$HERE/train.log"
fi
sha256sum "$MODEL" | tee "$HERE/model.sha256"
# the co-activation graph of relu3 as in results/fashion-coactivation (2000 test images, signed r >= 0.5, seed 5)
$ACTOPO extract --quiet --model "$MODEL" --dataset fashion-mnist:test --limit 2000 --layers relu3 \
    -o "$WORK/relu3.h5" --force
$ACTOPO coactivation "$WORK/relu3.h5" --layers relu3 --threshold 0.5 --signed --seed 5 \
    -o "$HERE/coactivation.json" --picture "$HERE/coactivation.svg" --force 2>&1 | tee "$HERE/coactivation.log"
# every community with at least one neuron, ablated (zero) on the same 2000 test images, DRAWS random draws
COMMUNITIES=$(/usr/bin/python3 -c "import json,sys; g=json.load(open(sys.argv[1])); \
print(' '.join(str(c) for c in sorted({n['community'] for n in g['nodes'] if n['kind']=='neuron'})))" "$HERE/coactivation.json")
for c in $COMMUNITIES; do
  $ACTOPO ablate --quiet --model "$MODEL" --dataset fashion-mnist:test --limit 2000 \
      --community "$HERE/coactivation.json:$c" --baseline-draws "$DRAWS" --seed "$c" \
      -o "$HERE/ablate/community-$c.json" --force > "$HERE/ablate/community-$c.log"
done
/usr/bin/python3 "$HERE/summarise.py" "$HERE" > "$HERE/summary.md"
# a Mapper node of relu3 and its 5 most distinguishing units, ablated against 100 random draws of 5 units
$ACTOPO mapper "$WORK/relu3.h5" --layer relu3 --relu --intervals 10 --overlap 0.5 --color-by correct \
    -o "$HERE/mapper/relu3.json" --force | tee "$HERE/mapper/relu3.log"
$ACTOPO ablate --quiet --model "$MODEL" --dataset fashion-mnist:test --limit 2000 \
    --mapper-node "$HERE/mapper/relu3.json:${NODE:-9}" --top-units 5 --baseline-draws "$DRAWS" --seed 1 \
    -o "$HERE/ablate/mapper-node.json" --force > "$HERE/ablate/mapper-node.log"
# the five longest H1 loops of relu3 (1000 of the 2000 images), mapped back to the images on them
mkdir -p "$HERE/loops"
$ACTOPO persistence "$WORK/relu3.h5" --layer relu3 --points 1000 --seed 1 --max-dim 1 --representatives 5 \
    -o "$HERE/loops/relu3.json" --force 2>&1 | tee "$HERE/loops/relu3.log"
