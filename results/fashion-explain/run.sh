#!/bin/sh
# The reference explanation study (issues 12 and 13): the reference CNN (actopo's `cnn`, 3 epochs on the 60 000
# training images, seed 1, as in results/fashion-cnn-mapper), every method on the first 200 test images, and
# their quality side by side on the first 100. Run from the repository root with the built program:
#   sh results/fashion-explain/run.sh build/actopo
# The model and the attribution file (large) are written to $WORK (default /tmp/actopo-fashion-explain), the
# pictures and tables here. A model already in $WORK is reused (training takes 13 min on 2 shared cores; the
# README gives the sha256 of the model the study used); RETRAIN=1 trains it again.
set -e
ACTOPO=${1:-actopo}
HERE=$(dirname "$0")
WORK=${WORK:-/tmp/actopo-fashion-explain}
mkdir -p "$WORK"
export SOURCE_DATE_EPOCH=1700000000
if [ ! -f "$WORK/cnn.pt" ] || [ "${RETRAIN:-0}" = 1 ]; then
    $ACTOPO train --quiet --arch cnn --epochs 3 --seed 1 --force -o "$WORK/cnn.pt" | tee "$HERE/train.log"
fi
sha256sum "$WORK/cnn.pt" | cut -d' ' -f1 > "$HERE/model.sha256"
# Issue 12's methods, then issue 13's: LRP (two composites), deep Taylor, DeepLIFT, guided backprop, deconvnet,
# guided Grad-CAM.
METHODS=saliency,gradient-x-input,integrated-gradients,smoothgrad,grad-cam,grad-cam++,occlusion
METHODS=$METHODS,lrp-epsilon-gamma-box,lrp-epsilon-plus,deep-taylor,deeplift,guided-backprop,deconvnet,guided-grad-cam
$ACTOPO explain --quiet --model "$WORK/cnn.pt" --dataset fashion-mnist:test --limit 200 --target label \
    --method saliency-max,$METHODS \
    --layer relu2 --steps 50 --samples 50 --noise 0.15 --window 4 --stride 2 --seed 1 \
    -o "$WORK/attributions.h5" --pictures "$HERE/pictures" --picture-count 8 --force | tee "$HERE/explain.log"
$ACTOPO explain-quality --quiet --model "$WORK/cnn.pt" --dataset fashion-mnist:test --limit 100 --target label \
    --method $METHODS \
    --layer relu2 --steps 50 --samples 50 --seed 1 --patch 4 --flip-steps 20 --perturbations 5 \
    -o "$HERE/quality" --force | tee "$HERE/quality.log"
/usr/bin/python3 "$HERE/zero_pixels.py" "$WORK/attributions.h5" | tee "$HERE/zero_pixels.txt"
