#!/usr/bin/env bash
# Draws the tray icon's three looks from icons/128x128.png, at 64x64 (the tray scales them):
#   live.png       the app icon as it is: every feed live
#   attention.png  the app icon with an amber dot: a feed needs the user
#   quiet.png      the app icon in grey: notifications quiet, or every feed paused
# Needs ImageMagick 6 (`convert`). Usage: bash icons/make-tray.sh   (writes icons/tray/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/tray"
mkdir -p "$out"
convert "$here/128x128.png" -resize 64x64 "PNG32:$out/live.png"
convert "$out/live.png" -fill '#f59e0b' -stroke white -strokewidth 3 \
  -draw "circle 49,49 49,62" "PNG32:$out/attention.png"
convert "$out/live.png" -colorspace Gray -channel A -evaluate multiply 0.75 +channel \
  -colorspace sRGB "PNG32:$out/quiet.png"
