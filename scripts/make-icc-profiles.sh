#!/usr/bin/env bash
# Regenerate kanwu's two CMYK output profiles (src/kanwu/data/icc/) from free
# characterisation data. Not part of the set-up: the profiles are shipped; run
# this only to remake them (about 45 s on 2 cores).
#
#   coated    FOGRA39L.ti3 (Fogra, ISO 12647-2 paper type 1/2, coated offset),
#             total ink limit 292% (layout limit 300%, headroom for rounding)
#   newsprint TR002.ti3 (CGATS TR 002 / SNAP, coldset offset on newsprint),
#             total ink limit 232% (layout limit 240%)
#
# The .ti3 measurement files come from Debian's icc-profiles-free (Zlib
# licence, Kai-Uwe Behrmann); colprof is ArgyllCMS (Debian `argyll`). The
# profiles are data made from the Zlib-licensed measurements; the Zlib licence
# asks only that their origin is not misrepresented, which their copyright tag
# states.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in icc-profiles-free argyll; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    echo "needs Debian packages icc-profiles-free argyll: apt-get install -y icc-profiles-free argyll" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/coated.ti3"
cp /usr/share/color/icc/TR002.ti3 "$work/newsprint.ti3"
(cd "$work" && colprof -qm -kr -l292 -L95 \
  -D "kanwu coated: FOGRA39 (ISO 12647-2 PC1), TAC 292%" \
  -C "Made by kanwu with ArgyllCMS colprof from FOGRA39L.ti3 (icc-profiles-free, Zlib licence, data Fogra)" coated)
(cd "$work" && colprof -qm -kr -l232 -L90 \
  -D "kanwu newsprint: CGATS TR 002 (SNAP coldset newsprint), TAC 232%" \
  -C "Made by kanwu with ArgyllCMS colprof from TR002.ti3 (icc-profiles-free, Zlib licence, data CGATS/SNAP)" newsprint)
cp "$work/coated.icc" src/kanwu/data/icc/kanwu-coated-fogra39.icc
cp "$work/newsprint.icc" src/kanwu/data/icc/kanwu-newsprint-tr002.icc
echo "wrote src/kanwu/data/icc/kanwu-coated-fogra39.icc and kanwu-newsprint-tr002.icc"
