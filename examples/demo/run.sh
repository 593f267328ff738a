#!/usr/bin/env bash
# The kbops demo: ingest expert notes in English, Chinese and Spanish, review
# them in three stages as the demo's owners, merge, publish to an embedded
# Weaviate and search in three languages. Run it with `make demo`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kbops=${KBOPS:-$here/../../bin/kbops}
work=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kbops-demo.XXXXXX")}
ws=$work/kb
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
k() { echo "\$ kbops $*"; "$kbops" -w "$ws" "$@"; }

step "1. Create the workspace from examples/demo (a git repository with kbops.yaml and OWNERS)"
mkdir -p "$work"
cp -R "$here/workspace" "$ws"
cp -R "$here/notes" "$work/notes"
"$kbops" init "$ws"

step "2. Ingest the expert notes: units are committed to the review branch"
k ingest

step "3. Ingest again: nothing changed, so nothing is committed"
k ingest

step "4. What waits for review"
k review status

step "5. Technical review by the product owner"
k review approve --stage technical --as "Ana Ruiz <ana.ruiz@example.com>" --all-mine

step "6. Expression review by a reviewer of each language"
k review approve --stage expression --as "Tom Baker <tom.baker@example.com>" --all-mine
k review approve --stage expression --as "Li Wei <li.wei@example.com>" --all-mine
k review approve --stage expression --as "Lucia Gomez <lucia.gomez@example.com>" --all-mine

step "7. Consistency review"
k review approve --stage consistency --as "Carol Chen <carol.chen@example.com>" --all-mine

step "8. Verify the approvals (what a knowledge repo's CI runs) and merge into main"
k review verify --base main --head kbops/review
k review merge --as "Ana Ruiz <ana.ruiz@example.com>"

step "9. Start the embedded Weaviate and publish the approved units"
trap '"$kbops" -w "$ws" weaviate stop >/dev/null 2>&1 || true' EXIT
k weaviate start
k publish

step "10. Publish again: Weaviate already holds exactly the approved set, nothing is written"
k publish

step "11. Search in English, Chinese and Spanish"
k search "grounding"
k search "接地"
k search --lang es "puesta a tierra"

step "12. Cross-language: the braking resistor is described only in Chinese; the glossary finds it for a Spanish question"
k search "resistencia de frenado"

step "Done. The workspace is at $ws (git log --all --oneline shows the review history)."
