#!/usr/bin/env bash
# Draws Herald's 1024x1024 app icon source: a teal-to-indigo rounded square with a white
# "broadcast" mark (a dot between two pairs of arcs). Needs ImageMagick 6 (`convert`).
# Usage: bash icons/make-source.sh OUT.png   (see icons/README.md for the sizes step)
set -euo pipefail
out=${1:?usage: make-source.sh OUT.png}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Arcs centred on (512,512): radius 190 and 320, ±42°/±40° around the horizontal axis.
waves="M 653.2,384.9 A 190,190 0 0,1 653.2,639.1 M 757.1,306.3 A 320,320 0 0,1 757.1,717.7"
waves+=" M 370.8,639.1 A 190,190 0 0,1 370.8,384.9 M 266.9,717.7 A 320,320 0 0,1 266.9,306.3"
convert -size 1024x1024 -define gradient:direction=SouthEast gradient:'#0f9488-#3b2fa6' "$tmp/grad.png"
convert -size 1024x1024 xc:none -fill white -draw "roundrectangle 48,48 975,975 210,210" "$tmp/mask.png"
convert "$tmp/grad.png" "$tmp/mask.png" -alpha off -compose CopyOpacity -composite "$tmp/bg.png"
convert "$tmp/bg.png" -fill none -stroke white -strokewidth 64 \
  -draw "stroke-linecap round path '$waves'" \
  -stroke none -fill white -draw "circle 512,512 512,592" "PNG32:$out"
