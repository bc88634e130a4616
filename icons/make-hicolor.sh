#!/usr/bin/env bash
# Draws the extra sizes the Linux packages install into the hicolor icon theme
# (/usr/share/icons/hicolor/NxN/apps/herald.png), scaled down from icons/icon.png (512x512).
# 32, 128 and 512 are the bundler's own files (32x32.png, 128x128.png, icon.png); 128x128@2x.png
# goes to 128x128@2. Needs ImageMagick 6 (`convert`). Usage: bash icons/make-hicolor.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for size in 16 24 48 64 256; do
  # PNG32: the bundler and the icon theme want RGBA; -strip keeps the files byte-stable.
  convert "$here/icon.png" -filter Lanczos -resize "${size}x${size}" -strip "PNG32:$here/${size}x${size}.png"
done
