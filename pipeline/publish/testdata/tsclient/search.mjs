// A front-end's search with the official weaviate-client, following
// docs/weaviate-schema.md ("Querying") step by step, so that it returns
// the hits `kbops search` returns: up to four BM25 searches with the same
// filters, scores summed per unit; translation siblings (with a language
// filter: credited with the score of the unit that matched in another
// language; without one: following their hit); near-duplicates collapsed
// through the published duplicate_group. It does not read the
// glossary: the expansions (the terms of the concepts the question names,
// from the approved termbase) are given with each question.
//
// usage: node search.mjs < request.json
//   request: {"http": PORT, "grpc": PORT, "collection": ALIAS, "limit": 5,
//             "queries": [{"text": "...", "language": "de", "access": "",
//                          "expansions": ["..."]}]}
// prints: [{"stems": "...", "hits": [{"unit_id", "score", "sibling_of",
//           "duplicates"}]}] in the order of the queries.
import weaviate, { Filters } from 'weaviate-client';
import snowball from 'snowball-stemmers';

// The Snowball stemmers kbops applies to a question (knowledge/text/stem),
// in its order: en, de, es, fr, it, nl, pt.
const stemmers = ['english', 'german', 'spanish', 'french', 'italian', 'dutch', 'portuguese']
  .map((name) => snowball.newStemmer(name));
const accessLevels = ['public', 'customer', 'partner', 'internal'];

const words = (s) => s.toLowerCase().split(/[^\p{L}\p{Nd}]+/u).filter((w) => w !== '');
const latin = (w) => /^[\p{Script=Latin}\p{Nd}]+$/u.test(w);
const fold = (w) => w.normalize('NFD').replace(/\p{Mn}/gu, '').replace(/ß/g, 'ss');

// The distinct stems of the question's Latin words under every stemmer,
// diacritics folded after stemming, in first-seen order (stem.Query).
export function stemQuery(q) {
  const out = [];
  for (const w of words(q)) {
    if (!latin(w)) continue;
    for (const s of stemmers) {
      const st = fold(s.stem(w));
      if (!out.includes(st)) out.push(st);
    }
  }
  return out.join(' ');
}

// The Han, Kana and Hangul runs of s, separated by spaces (publish.CJKText).
const cjkText = (s) => (s.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]+/gu) || []).join(' ');

const primary = (tag) => tag.toLowerCase().split(/[-_]/)[0];
const languageMatches = (tag, filter) => filter.includes('-') ? tag === filter : primary(tag) === filter.toLowerCase();

const returnProperties = ['unit_id', 'language', 'siblings', 'duplicate_group', 'superseded_by'];

function filtersFor(coll, q, language, only) {
  const ops = [];
  if (language) {
    ops.push(language.includes('-')
      ? coll.filter.byProperty('language').equal(language)
      : coll.filter.byProperty('language').like(language + '*'));
  }
  if (q.access) {
    ops.push(coll.filter.byProperty('access').containsAny(accessLevels.slice(0, accessLevels.indexOf(q.access) + 1)));
  }
  // Units that lost a conflict stay out; objects without the property pass.
  ops.push(Filters.not(coll.filter.byProperty('superseded_by').like('*')));
  if (only) ops.push(coll.filter.byProperty('unit_id').containsAny(only));
  return ops.length === 1 ? ops[0] : Filters.and(...ops);
}

async function runSearches(coll, q, language, subs, limit) {
  const found = new Map(); // in first-found order
  for (const [text, props] of subs) {
    const res = await coll.query.bm25(text, {
      queryProperties: props, limit, filters: filtersFor(coll, q, language),
      returnProperties, returnMetadata: ['score'],
    });
    for (const o of res.objects) {
      const id = o.properties.unit_id;
      const f = found.get(id);
      if (f) f.score += o.metadata.score;
      else found.set(id, { props: o.properties, score: o.metadata.score });
    }
  }
  return found;
}

async function fetchUnits(coll, q, language, ids) {
  const res = await coll.query.fetchObjects({ limit: ids.length, filters: filtersFor(coll, q, language, ids), returnProperties });
  return res.objects.map((o) => o.properties);
}

const list = (v) => (Array.isArray(v) ? v : []);

async function search(coll, q, limit) {
  const exp = (q.expansions || []).join(' ');
  const stems = stemQuery(q.text);
  const subs = [[q.text, ['title^2', 'body', 'terms']]];
  if (stems) subs.push([stems, ['title_stems^2', 'body_stems']]);
  if (exp.trim()) subs.push([exp, ['terms']]);
  const cjk = cjkText(q.text + ' ' + exp);
  if (cjk) subs.push([cjk, ['text_zh', 'text_ja']]);
  // A unit found by two searches may rank below the limit in each.
  const each = subs.length > 1 ? Math.max(2 * limit, 20) : limit;
  const found = await runSearches(coll, q, q.language, subs, each);

  if (q.language) {
    // The same searches in every language: a unit found in another
    // language gives its siblings in this one its score.
    const other = await runSearches(coll, q, '', subs, each);
    const credit = new Map();
    const missing = [];
    for (const [id, f] of other) {
      if (languageMatches(f.props.language, q.language)) continue;
      for (const s of list(f.props.siblings)) {
        if (!credit.has(s) && !found.has(s)) missing.push(s);
        if (f.score > (credit.get(s)?.score ?? 0)) credit.set(s, { score: f.score, via: id });
      }
    }
    if (missing.length > 0) {
      for (const p of await fetchUnits(coll, q, q.language, missing)) found.set(p.unit_id, { props: p, score: 0 });
    }
    for (const [s, c] of credit) {
      const f = found.get(s);
      if (f) { f.score += c.score; f.siblingOf = c.via; }
    }
  }

  let hits = [...found.values()].map((f) => ({
    unit_id: f.props.unit_id, score: f.score, sibling_of: f.siblingOf || '', duplicates: [],
    siblings: list(f.props.siblings), group: f.props.duplicate_group || '', superseded: f.props.superseded_by || '',
  }));
  hits.sort((a, b) => b.score - a.score); // stable: ties keep first-found order

  // Near-duplicates: the best hit of each duplicate group stands for the others.
  const kept = [];
  for (const h of hits) {
    const k = h.superseded || !h.group ? undefined : kept.find((o) => !o.superseded && o.group === h.group);
    if (k) k.duplicates.push(h.unit_id);
    else kept.push(h);
  }
  hits = kept;

  if (!q.language && hits.slice(0, limit).some((h) => h.siblings.length > 0)) {
    // Each of the first hits is followed by its siblings, with its score.
    const at = new Map(hits.map((h, i) => [h.unit_id, i]));
    const missing = [];
    for (const h of hits.slice(0, limit)) {
      for (const s of h.siblings) if (!at.has(s) && !missing.includes(s)) missing.push(s);
    }
    const fetched = new Map();
    if (missing.length > 0) {
      for (const p of await fetchUnits(coll, q, '', missing)) {
        fetched.set(p.unit_id, { unit_id: p.unit_id, siblings: list(p.siblings), duplicates: [] });
      }
    }
    const placed = new Set();
    const out = [];
    hits.forEach((h, i) => {
      if (placed.has(h.unit_id)) return;
      placed.add(h.unit_id);
      out.push(h);
      if (i >= limit) return;
      for (const s of h.siblings) {
        if (placed.has(s)) continue;
        const sh = at.has(s) ? hits[at.get(s)] : fetched.get(s);
        if (!sh) continue; // filtered out, or not published here
        placed.add(s);
        out.push({ ...sh, score: h.score, sibling_of: h.unit_id });
      }
    });
    hits = out;
  }
  return {
    stems,
    hits: hits.slice(0, limit).map(({ unit_id, score, sibling_of, duplicates }) => ({ unit_id, score, sibling_of, duplicates })),
  };
}

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const client = await weaviate.connectToCustom({
  httpHost: '127.0.0.1', httpPort: Number(req.http), httpSecure: false,
  grpcHost: '127.0.0.1', grpcPort: Number(req.grpc), grpcSecure: false,
});
try {
  const coll = client.collections.get(req.collection);
  const out = [];
  for (const q of req.queries) out.push(await search(coll, q, req.limit || 5));
  console.log(JSON.stringify(out));
} finally {
  await client.close();
}
