#!/usr/bin/env bash
# Regenerates the report screenshots in docs/img from a real run of the seed protocol.
#   docs/img/screenshots.sh [IMMUNOTRIAL_BINARY]
# Needs Debian's chromium. Each shot shows some sections of the same report.html (the others
# hidden by an added style rule: headless Chromium renders a page anchor mostly blank).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/target/release/immunotrial}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" run "$root/protocols/nct04385043-hyperimmune-plasma.toml" --quiet --out "$work/run" >/dev/null
shot() { # name, section ids...
  local name="$1"; shift
  local show
  show=$(printf '#%s,' "$@"); show="${show%,}"
  sed "s|</head>|<style>main > section, nav, footer { display: none !important } $show { display: block !important }</style></head>|" \
    "$work/run/report.html" >"$work/$name.html"
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --hide-scrollbars --window-size=1100,1300 --screenshot="$root/docs/img/$name.png" \
    "file://$work/$name.html" 2>/dev/null
}
shot report-overview registry simulation
shot report-consort-baseline consort baseline
shot report-endpoints-km endpoints km
shot report-discharge-who discharge who
shot report-forest-safety subgroups safety
shot report-supply supply
