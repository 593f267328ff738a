package config

// Template is the commented kbops.yaml that `kbops init` writes. It must
// parse: a test keeps it honest.
const Template = `# kbops workspace configuration. Reference: docs/config.md.
# Secrets never go here (this file is committed): set KBOPS_WEAVIATE_API_KEY
# and KBOPS_GIT_TOKEN in the environment.
version: 1

# Target languages: every unit gets the glossary terms of its concepts in
# each of these, so a question in one language finds knowledge in another.
languages: [en, zh, es, de, fr, pt, ar, ru, ja]

defaults:
  language: en        # for documents that declare none and cannot be detected
  access: internal    # public | customer | partner | internal
  markets: []

sources:
  # Expert notes: Markdown files with front matter, from a folder.
  - name: expert-notes
    kind: notes              # manuals | tickets | notes
    location: notes/         # folder or glob, URL(s), or git repository
    owner: owner@example.com # accountable knowledge owner
    product: example-product
    access: customer
    schedule: "@nightly"     # used by kbops serve
    # redact: on             # personal data becomes <email>, <phone>, <name>… (notes: on)
  # Manuals as PDF, HTML or Markdown, highest tier (not redacted unless asked):
  # - name: manuals
  #   kind: manuals
  #   location: manuals/**/*.pdf
  #   tier: official
  #   owner: owner@example.com
  #   redact: {mode: on, allow: ["@vendor.example", "+49 89 1234 5678"]}
  # Ticket exports (CSV, JSON, JSONL); personal data is removed first:
  # - name: helpdesk
  #   kind: tickets
  #   location: exports/
  #   owner: support-lead@example.com

ingest:
  document_timeout: 2m      # time budget of one document; one over it fails alone (a source may set its own)

review:
  branch: kbops/review       # ingestion commits here; review it as a pull request
  main: main                 # approved knowledge; publish reads this
  intervals:                 # days until a unit goes back to its owner
    official: 180
    internal: 120
    support: 90
    feedback: 30

weaviate:
  url: ""                    # empty: embedded weaviate-server under .kbops/weaviate
  collection: KnowledgeUnit  # an alias; reindex builds KnowledgeUnit_<timestamp> and moves it
  keep: 2                    # physical collections kept for rollback
  consistency: ""            # ONE | QUORUM | ALL for a cluster; empty: server default
  replication_factor: 1      # for new collections on a cluster
  vectorizer:                # empty: keyword search; a module enables hybrid search
    module: ""
  embedded:
    http_port: 0             # 0: any free port on 127.0.0.1
    grpc_port: 0

git:
  author: "kbops <kbops@localhost>"
  remote: ""                 # e.g. origin; empty: review branches stay local
`
