#!/usr/bin/env bash
# The kbops demo: one night of the knowledge-ops job for the VF-200
# frequency inverter. It reads a PDF manual in English and German, a Spanish
# FAQ web page, a helpdesk ticket export with personal data, expert notes in
# English, Chinese and Spanish, and a termbase update; sends the changes
# through the three-stage review as the demo's OWNERS; merges, publishes to
# an embedded Weaviate, searches across languages and writes the health
# report. Run it with `make demo`; KBOPS=path picks another kbops binary and
# DEMO_DIR=folder keeps the workspace somewhere else than a fresh temp folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kbops=${KBOPS:-$here/../../bin/kbops}
work=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kbops-demo.XXXXXX")}
ws=$work/kb
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
k() { echo "\$ kbops $*"; "$kbops" -w "$ws" "$@"; }

step "1. Create the knowledge repository: a git repository with kbops.yaml (four sources) and OWNERS (who reviews what)"
mkdir -p "$work"
cp -R "$here/workspace" "$ws"
cp "$here/nightly/kbops.yaml" "$here/nightly/OWNERS" "$here/nightly/context.yaml" "$ws/"
for src in notes manuals web tickets context; do cp -R "$here/$src" "$work/$src"; done
init_out=$("$kbops" init "$ws")
grep "^initialised" <<<"$init_out"
say "sources next to it:"
(cd "$work" && find notes manuals web tickets context -type f | sort | sed 's/^/     /')

step "2. The terminologist delivers new terms (en/de/es/zh): the termbase change goes to review like any unit"
k glossary import --as "Tom Baker <tom.baker@example.com>" "$here/termbase/vf200-terms.csv"

step "3. The ticket export as the helpdesk wrote it: names, e-mail addresses and phone numbers"
sed -n 2p "$work/tickets/helpdesk-export.csv" | cut -c1-260

step "4. The nightly ingest: PDF manuals, the FAQ page, the tickets (redacted first) and the notes become units on the review branch"
k ingest 2>&1

step "5. The same ticket as it is stored: personal data replaced, the repeat report merged into one scenario (2 tickets)"
git -C "$ws" show kbops/review:units/support-tickets/helpdesk-export/field-support.ticket-4711.md | sed -n '/^  locator:/p;/^occurrences:/p;/^## Symptom/,$p'
if git -C "$ws" grep -q -e '2345678' -e 'becker-foerdertechnik' -e 'Priya' kbops/review --; then
	echo "personal data found in the knowledge repository" >&2
	exit 1
fi
say "no e-mail address, phone number or name of the export is anywhere in the knowledge repository"

step "6. Ingest again: nothing changed, so nothing is committed"
k ingest 2>&1

step "7. What waits for review, stage by stage and for whom"
k review status

step "8. Technical review by the product owner"
k review approve --stage technical --as "Ana Ruiz <ana.ruiz@example.com>" --all-mine

step "9. Expression review by a reviewer of each language"
k review approve --stage expression --as "Tom Baker <tom.baker@example.com>" --all-mine
k review approve --stage expression --as "Jonas Weber <jonas.weber@example.com>" --all-mine
k review approve --stage expression --as "Li Wei <li.wei@example.com>" --all-mine
k review approve --stage expression --as "Lucia Gomez <lucia.gomez@example.com>" --all-mine

step "10. Consistency review of the units, and of the termbase change (not by its author)"
k review approve --stage consistency --as "Carol Chen <carol.chen@example.com>" --all-mine
k review approve --stage glossary --as "Carol Chen <carol.chen@example.com>"

step "11. Verify the approvals (what the knowledge repository's CI runs) and merge into main"
k review verify --base main --head kbops/review
k review merge --as "Ana Ruiz <ana.ruiz@example.com>"

step "12. Start the embedded Weaviate and publish the approved units"
trap '"$kbops" -w "$ws" weaviate stop >/dev/null 2>&1 || true' EXIT
k weaviate start
k publish

step "13. Publish again: Weaviate already holds exactly the approved set, nothing is written"
k publish

step "14. Search across languages, as the agent front-ends do"
say "An English question; only the German edition 2.1 of the manual has the answer:"
k search --limit 1 "derating at high altitude"
say "A Spanish question from the public website's agent (public units only); the answer is in the maintenance section of the manuals (English or German):"
k search --access public --limit 2 "¿Cada cuánto hay que limpiar el disipador?"
say "A Chinese question from the support desk; a Spanish ticket and the English manual answer it:"
k search --limit 2 "冷却风扇多久更换一次？"

say "A German customer's question for an agent that answers in English (--lang en): the English section is found through the German section it translates (translation siblings, aligned by kbops):"
k search --lang en --limit 1 "Kühlkörper reinigen"

say "The same question from the Mexican market: the note adapted for Mexico comes first, the generic one after it:"
k search --market MX --limit 3 "grounding PE terminal ground bar"

step "15. The health report: staleness, glossary coverage, pending reviews per product and owner"
k health --html "$work/health.html"

step "Done in ${SECONDS}s. Health report: $work/health.html"
say "The workspace is at $ws (git -C $ws log --all --oneline shows the review history)."
