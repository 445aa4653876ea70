/*
 * Dossier's search worker: Material for MkDocs' search UI, answered by Pagefind or by the
 * site's own index.
 *
 * With extra.search_backend: dossier or pagefind (build_scripts/search.py),
 * overrides/main.html points Material's __config.search at this file, so Material's UI (the
 * search box, result list, keyboard handling, highlighting) starts it as its search worker
 * instead of its lunr worker.
 * It speaks Material's worker protocol (Material 9.8.1, src/templates/assets/javascripts/
 * integrations/search/worker/message/index.ts and worker/main/index.ts):
 *
 *   SETUP (0), data {config, docs, options: {suggest}}  ->  READY (1)
 *   QUERY (2), data "query text"                        ->  RESULT (3), data {items, suggest?}
 *
 * items is a list of groups, one per page, best first; each group a list of items shaped like
 * Material's search documents (integrations/search/_/index.ts, SearchItem): {location, title,
 * text, score, terms}. The group's item whose location has no "#" is the page, the others its
 * sections; Material shows sections scoring as high as the group's first item with their text,
 * folds the others under "N more on this page", and Enter opens the highest-scoring link.
 * terms maps each query word to whether the item matched it (the ?h= highlighting and the
 * "Missing" line). Material inserts title and text as HTML (templates/search/index.tsx through
 * utilities/h): every piece of page text here is escaped and only <mark> and <p> are added.
 *
 * Two engines find the pages; both hand group() a page's fragment (its text, its headings
 * (anchors) and where the query's words are in it: word positions in the text split at white
 * space, as Pagefind's own excerpts count them), so Material sees the same results either way.
 *
 * - Pagefind (extra.search_backend: pagefind; this file's URL has no "index" parameter):
 *   site/pagefind/0/pagefind.js, an ES module loaded with import() at the first query, finds
 *   the pages in every shard of the index and gives their fragments.
 * - The site's own index (extra.search_backend: dossier; the URL says where it is, relative to
 *   the site's root: dossier-search-worker.js?index=dossier-search/), written by
 *   build_scripts/textindex.py, whose docstring is its format: index.json (documents, their
 *   lengths, the first term of each shard), term shards t/<k>.bin (postings) and fragments
 *   f/<document>.json. A query fetches index.json once, the shards its words fall in, and the
 *   fragments of the pages it shows; pages are ranked with BM25, every word of the query
 *   required, a word also finding the terms it starts (at half weight).
 *
 * Either way nothing is downloaded before a reader types.
 */
"use strict";

const SETUP = 0;
const READY = 1;
const QUERY = 2;
const RESULT = 3;

// Pages whose fragment (text, ~4 KB at 10,000 articles) is fetched per query: the 10
// Material shows at once. Each query fetches its own, so this sets what typing costs.
const MAX_PAGES = 10;
const EXCERPT_WORDS = 30; // words of text shown under a result, as Pagefind's excerpts
const WAIT_MS = 150; // a query typed over within this time is not searched
// Within a page, its parts rank as Material ranks a page's documents: a word found in a
// part's title weighs as Material's title field (boost 1000, search plugin defaults), one
// in its text 1; then Material's post-query boost, x (1 + b^2) with b = 1 for the page
// itself plus the share of the query's words the part has (integrations/search/_/index.ts).
const TITLE_WEIGHT = 1000;

// This file is <site>/assets/javascripts/dossier-search-worker.js.
const SITE = new URL("../../", self.location.href);
// The site's own index (extra.search_backend: dossier): its folder, from this file's URL
// (?index=dossier-search/, relative to the site's root); null answers from Pagefind.
const INDEX = indexFolder(new URL(self.location.href).searchParams.get("index"));

// Ranking with the site's own index: BM25 with its usual constants. A query word also finds
// the terms it starts (3 letters or more), in at most MAX_PREFIX_SHARDS shards (a shard is
// about 32 KB of postings); the terms it only starts count together as one term, at
// PREFIX_FACTOR of an exact one (scores).
const K1 = 1.2;
const B = 0.75;
const MIN_PREFIX = 3;
const MAX_PREFIX_SHARDS = 3;
const PREFIX_FACTOR = 0.5;
// A light stem for the expansion only: a word of STEM_MIN letters or more with one of these
// endings also finds the terms its rest starts ("attacks" finds "attacked").
const STEM_MIN = 5;
const ENDINGS = ["ing", "es", "ed", "ly", "s"];
const FRAGMENTS_KEPT = 100; // fragments kept for the next queries (~4 KB each)

let suggestions = false;
const shards = new Map(); // shard number -> Promise of {terms, lists}: its postings
const fragments = new Map(); // document -> Promise of its fragment, the last FRAGMENTS_KEPT
let latest = 0; // the newest query: results of older ones are dropped

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// The index's folder as a URL in the site, or null; never outside the site's origin.
function indexFolder(folder) {
  if (!folder) return null;
  const url = new URL(folder.endsWith("/") ? folder : `${folder}/`, SITE);
  if (url.origin !== SITE.origin) throw new Error(`search index outside the site: ${folder}`);
  return url;
}

// Text as the site's index holds its words (build_scripts/textindex.py, fold and terms):
// compatibility decomposition (NFKD) without marks, in lower case...
function fold(text) {
  return String(text).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

// ...cut into runs of letters and digits.
function indexTerms(text) {
  return fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

// Whether a piece of a page's word (letters and digits, lower case) is the query's word
// `term`: Pagefind finds words by their start ("bag" finds "Bagheri") and by their stem
// ("attacks" finds "attack"), so a shared start of 4 letters or more counts too.
function matches(term, piece) {
  if (!term || !piece) return false;
  if (INDEX !== null) {
    // The site's own index finds words without their accents ("cafe" finds "Café").
    term = foldWord(term);
    piece = foldWord(piece);
  }
  if (piece.startsWith(term)) return true;
  let same = 0;
  while (same < term.length && same < piece.length && term[same] === piece[same]) same += 1;
  return same >= Math.max(4, Math.min(term.length, piece.length) - 2);
}

function foldWord(word) {
  return /^[\x00-\x7f]*$/.test(word) ? word.toLowerCase() : fold(word);
}

// A word with the pieces that match a term marked ("Forces(<mark>PMF</mark>)"), as HTML;
// null when no piece does.
function markPieces(word, terms) {
  let hit = false;
  const html = String(word)
    .split(/([^\p{L}\p{N}]+)/u)
    .map((piece, i) => {
      if (i % 2 === 0 && piece && terms.some((term) => matches(term, piece.toLowerCase()))) {
        hit = true;
        return `<mark>${escapeHTML(piece)}</mark>`;
      }
      return escapeHTML(piece);
    })
    .join("");
  return hit ? html : null;
}

// The index comes in shards (site/pagefind/shards.json lists their folders): the first
// shard's pagefind.js searches them all, merging the others with mergeIndex; they share its
// WebAssembly and rank together.
async function openPagefind() {
  const root = new URL("pagefind/", SITE);
  const manifest = await fetch(new URL("shards.json", root)).then((response) => {
    if (!response.ok) throw new Error(`pagefind/shards.json: HTTP ${response.status}`);
    return response.json();
  });
  const [first, ...others] = manifest.shards.map((shard) => new URL(shard, root));
  const module = await import(new URL("pagefind.js", first).href);
  // Paths from the site's root, wherever the site is published; result URLs start at it.
  await module.options({ basePath: first.pathname, baseUrl: "/" });
  await module.init();
  await Promise.all(others.map((shard) => module.mergeIndex(shard.pathname, { baseUrl: "/" })));
  return module;
}

// open(), once: its promise is kept, unless it fails, to be tried again at the next query.
function once(open) {
  let promise = null;
  return () => {
    if (promise === null) {
      promise = open();
      promise.catch(() => {
        promise = null;
      });
    }
    return promise;
  };
}

const loadPagefind = once(openPagefind); // the initialised Pagefind module

// A page's address relative to the site's root, as Material's index writes it.
function pageLocation(url) {
  const path = String(url).replace(/^\/+/, "");
  return /^[a-z][a-z0-9+.-]*:/i.test(path) ? `./${path}` : path;
}

// The page's words, numbered as Pagefind numbers its word positions.
function wordsOf(data) {
  const raw = data.raw_content ?? data.content ?? "";
  if (raw.includes("\u200B")) {
    // Scripts without spaces: Pagefind separates words with zero-width spaces and has
    // escaped < and > in raw_content.
    return raw.split("\u200B").map((w) => w.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
  }
  return (data.content ?? "").split(/[\r\n\s]+/g);
}

// Text of words [from, to), centred on the first match, matched words marked.
function excerpt(words, marked, terms, from, to, joiner) {
  if (to <= from) return "";
  let first = -1;
  for (let i = from; i < to; i += 1)
    if (marked.has(i)) {
      first = i;
      break;
    }
  let start = first < 0 ? from : Math.max(from, first - Math.floor(EXCERPT_WORDS / 3));
  const end = Math.min(to, start + EXCERPT_WORDS);
  start = Math.max(from, end - EXCERPT_WORDS);
  const shown = [];
  for (let i = start; i < end; i += 1) {
    if (!words[i]) continue;
    const word = words[i];
    if (!marked.has(i)) shown.push(escapeHTML(word));
    else shown.push(markPieces(word, terms) ?? `<mark>${escapeHTML(word)}</mark>`);
  }
  if (!shown.length) return "";
  return `<p>${start > from ? "… " : ""}${shown.join(joiner)}${end < to ? " …" : ""}</p>`;
}

// A title with the query's words marked (those the part was found by).
function markTitle(title, terms) {
  return String(title)
    .split(/(\s+)/)
    .map((part) => markPieces(part, terms) ?? escapeHTML(part))
    .join("");
}

// Material's terms: each query word, and whether these page words matched it.
function termsOf(terms, words) {
  const pieces = words.flatMap((word) => word.toLowerCase().split(/[^\p{L}\p{N}]+/u));
  const result = {};
  for (const term of terms) result[term] = pieces.some((piece) => matches(term, piece));
  return result;
}

// One Pagefind result (its fragment loaded) as one of Material's result groups.
function group(data, score, terms) {
  const words = wordsOf(data);
  const joiner = (data.raw_content ?? "").includes("\u200B") ? "" : " ";
  const page = pageLocation(data.raw_url ?? data.url);
  // Where the query's words are: word numbers in the page's text.
  const marked = new Set(data.locations ?? []);
  for (const { location: at } of data.weighted_locations ?? []) marked.add(at);

  // Parts: the page (its h1 and what precedes the first other heading), then each heading.
  const headings = (data.anchors ?? [])
    .filter((a) => /^h[1-6]$/i.test(a.element) && a.id && /\S/.test(a.text ?? ""))
    .sort((a, b) => a.location - b.location);
  const title = headings.length && /^h1$/i.test(headings[0].element) ? headings.shift() : null;
  const parts = [
    {
      location: page,
      title: data.meta?.title || title?.text || page,
      from: 0,
      textFrom: title ? title.location + title.text.split(/\s+/).filter(Boolean).length : 0,
      to: headings.length ? headings[0].location : words.length,
    },
  ];
  headings.forEach((heading, i) =>
    parts.push({
      location: `${page}#${encodeURIComponent(heading.id)}`,
      title: heading.text,
      from: heading.location,
      textFrom: heading.location + heading.text.split(/\s+/).filter(Boolean).length,
      to: i + 1 < headings.length ? headings[i + 1].location : words.length,
    }),
  );

  // What the whole page matched: its own link's terms (the ?h= words).
  const pageTerms = termsOf(terms, [...marked].map((at) => words[at] ?? ""));
  const items = parts.map((part, i) => {
    let hits = 0;
    const found = [];
    for (const at of marked)
      if (at >= part.from && at < part.to) {
        hits += at < part.textFrom ? TITLE_WEIGHT : 1;
        found.push(words[at] ?? "");
      }
    const partTerms = termsOf(terms, found);
    const share = terms.filter((term) => partTerms[term]).length / terms.length;
    const boost = (i === 0 ? 1 : 0) + share;
    const shownTerms = i === 0 ? pageTerms : partTerms;
    const matched = terms.filter((term) => shownTerms[term]);
    const marks = matched.length ? matched : terms;
    return {
      location: part.location,
      title: markTitle(part.title, matched),
      text: excerpt(words, marked, marks, part.textFrom, part.to, joiner),
      value: hits * (1 + boost ** 2),
      terms: shownTerms,
    };
  });
  // The page always, its sections only where the query was found; best first, the best
  // scoring as Pagefind scored the page, so scores compare across pages.
  const kept = items.filter((item, i) => i === 0 || item.value > 0);
  const best = Math.max(...kept.map((item) => item.value)) || 1;
  kept.sort((a, b) => b.value - a.value);
  return kept.map(({ value, ...item }) => ({ ...item, score: (score * value) / best }));
}

// Material's suggestion: the query's last word completed from the best result's title.
// Material writes it into the page as HTML: only letters and digits are suggested.
function suggest(query, title) {
  const last = query.split(/\s+/).pop();
  if (!last || !title) return [];
  for (const raw of String(title).split(/\s+/)) {
    const word = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    if (
      word.length > last.length &&
      word.toLowerCase().startsWith(last.toLowerCase()) &&
      /^[\p{L}\p{N}]+$/u.test(word)
    )
      return [last + word.slice(last.length)];
  }
  return [];
}

async function fetchOK(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return response;
}

// index.json: the number of documents, their lengths in words, each shard's first term.
async function openIndex() {
  const index = await fetchOK(new URL("index.json", INDEX)).then((response) => response.json());
  if (index.format !== 1) throw new Error(`search index format ${index.format}, expected 1`);
  // One byte a document: round(15 * log2(1 + words)).
  const bytes = atob(index.lengths ?? "");
  const lengths = new Float64Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) lengths[i] = 2 ** (bytes.charCodeAt(i) / 15) - 1;
  return {
    documents: index.documents,
    average: index.average_length || 1,
    lengths,
    shards: index.shards ?? [],
  };
}

const loadIndex = once(openIndex); // the site's own index.json, decoded

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Shard k: gzip of a uint32 LE n, n bytes of JSON {terms, counts}, zeros up to a multiple
// of 4, then each term's postings, uint32 LE document << 8 | weight.
async function openShard(k) {
  const response = await fetchOK(new URL(`t/${k}.bin`, INDEX));
  let buffer = await response.arrayBuffer();
  const head = new Uint8Array(buffer, 0, Math.min(3, buffer.byteLength));
  if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 8) {
    // As written; a server that sent the file as Content-Encoding: gzip has unpacked it.
    const stream = new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"));
    buffer = await new Response(stream).arrayBuffer();
  }
  const view = new DataView(buffer);
  const n = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  let at = 4 + n + ((4 - (n % 4)) % 4);
  const lists = header.counts.map((count) => {
    let list;
    if (LITTLE_ENDIAN) list = new Uint32Array(buffer, at, count);
    else {
      list = new Uint32Array(count);
      for (let j = 0; j < count; j += 1) list[j] = view.getUint32(at + 4 * j, true);
    }
    at += 4 * count;
    return list;
  });
  return { terms: header.terms, lists };
}

function loadShard(k) {
  let shard = shards.get(k);
  if (shard === undefined) {
    shard = openShard(k);
    shards.set(k, shard);
    shard.catch(() => {
      if (shards.get(k) === shard) shards.delete(k); // try again at the next query
    });
  }
  return shard;
}

// In terms sorted as JavaScript compares strings (UTF-16 code units): the first not before t.
function lowerBound(sorted, t) {
  let low = 0;
  let high = sorted.length; // sorted[low - 1] < t <= sorted[high]
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

// The shard that would hold term t: the last whose first term is t or before it (-1: none).
function shardOf(firsts, t) {
  const at = lowerBound(firsts, t);
  return firsts[at] === t ? at : at - 1;
}

// What a query word looks for: exact terms (factor 1) and prefixes (PREFIX_FACTOR).
function lookups(word) {
  const found = [{ text: word, prefix: false }];
  if (word.length >= MIN_PREFIX) found.push({ text: word, prefix: true });
  if (word.length >= STEM_MIN) {
    const ending = ENDINGS.find((end) => word.endsWith(end));
    const stem = ending ? word.slice(0, -ending.length) : "";
    if (stem.length >= MIN_PREFIX) found.push({ text: stem, prefix: true });
  }
  return found;
}

// The shards a lookup reads: the term's own; for a prefix, the next ones that start with it
// too, MAX_PREFIX_SHARDS in all.
function shardsFor(firsts, { text, prefix }) {
  const own = shardOf(firsts, text);
  const found = own >= 0 ? [own] : [];
  if (!prefix) return found;
  for (let k = own + 1; k < firsts.length && firsts[k].startsWith(text); k += 1) {
    if (found.length >= MAX_PREFIX_SHARDS) break;
    found.push(k);
  }
  return found;
}

// One query word's matching terms: [postings, factor] pairs; the word itself counts 1.
async function termsFor(index, word) {
  const reading = lookups(word).map((lookup) => [
    lookup,
    Promise.all(shardsFor(index.shards, lookup).map(loadShard)),
  ]);
  const matched = new Map(); // term -> [postings, factor]
  for (const [lookup, read] of reading) {
    for (const { terms, lists } of await read) {
      // Terms are sorted: the lookup's are together, from the first not before it.
      for (let i = lowerBound(terms, lookup.text); i < terms.length; i += 1) {
        const term = terms[i];
        if (lookup.prefix ? !term.startsWith(lookup.text) : term !== lookup.text) break;
        matched.set(term, [lists[i], term === word ? 1 : PREFIX_FACTOR]);
      }
    }
  }
  return [...matched.values()];
}

// BM25 of one query word in each document it is in. The word itself scores as its term; the
// terms it only starts (or its stem starts) score together as one term at PREFIX_FACTOR: its
// documents are theirs, its count in a page the sum of theirs. So "bagh" finds Bagheri's page
// (his name, in its title) before a longer page that names Baghdad often, where the best of
// the terms alone would rank the rarer word first. A page scores the better of the two.
function scores(index, found) {
  const { documents, average, lengths } = index;
  const bm25 = (tf, df, document) => {
    const idf = Math.log(1 + (documents - df + 0.5) / (df + 0.5));
    const dl = lengths[document] ?? average;
    return (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * dl) / average));
  };
  const best = new Map();
  const started = new Map(); // document -> count of the terms the word starts
  for (const [list, factor] of found) {
    for (let i = 0; i < list.length; i += 1) {
      const document = list[i] >>> 8;
      const tf = list[i] & 0xff;
      if (factor === 1) best.set(document, bm25(tf, list.length, document));
      else started.set(document, (started.get(document) ?? 0) + tf);
    }
  }
  for (const [document, tf] of started) {
    const score = PREFIX_FACTOR * bm25(tf, started.size, document);
    if (!(best.get(document) >= score)) best.set(document, score);
  }
  return best;
}

// The query word's places in a page's text: word numbers in its text split at white space.
function locations(content, words) {
  const found = [];
  content.split(/[\r\n\s]+/g).forEach((word, at) => {
    const pieces = word.toLowerCase().split(/[^\p{L}\p{N}]+/u);
    if (pieces.some((piece) => words.some((term) => matches(term, piece)))) found.push(at);
  });
  return found;
}

async function openFragment(document) {
  const url = new URL(`f/${document}.json`, INDEX);
  const data = await fetchOK(url).then((response) => response.json());
  // Words numbered as textindex.py numbered the anchors': at white space as Python's split()
  // knows it (not at U+FEFF); and U+200B would make group() take the text for one written
  // without spaces. Neither is white space there, so removing them moves no word.
  data.content = String(data.content ?? "").replace(/[\u200b\ufeff]/g, "");
  return data;
}

function loadFragment(document) {
  let data = fragments.get(document);
  if (data === undefined) {
    data = openFragment(document);
    data.catch(() => {
      if (fragments.get(document) === data) fragments.delete(document);
    });
    if (fragments.size >= FRAGMENTS_KEPT) fragments.delete(fragments.keys().next().value);
  } else fragments.delete(document); // kept as the most recent
  fragments.set(document, data);
  return data;
}

// A page as group() takes it: its fragment and where the query's words are.
async function fragment(document, words) {
  const data = await loadFragment(document);
  return { ...data, locations: locations(data.content, words) };
}

// The site's own index: the best pages for the query, as Material's result groups.
async function searchIndex(query, terms) {
  const words = [...new Set(indexTerms(query))];
  if (!words.length) return { items: [] };
  const index = await loadIndex();
  const perWord = await Promise.all(
    words.map(async (word) => scores(index, await termsFor(index, word))),
  );
  // Every word of the query, in documents that have them all.
  perWord.sort((a, b) => a.size - b.size);
  const [fewest, ...others] = perWord;
  const ranked = [];
  for (const [document, score] of fewest) {
    let total = score;
    for (const other of others) {
      const more = other.get(document);
      if (more === undefined) {
        total = -1;
        break;
      }
      total += more;
    }
    if (total >= 0) ranked.push([document, total]);
  }
  ranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const best = ranked.slice(0, MAX_PAGES);
  // A page's words that match the query's, as typed, folded or stemmed, are marked.
  const stems = words.flatMap((word) => lookups(word).map((lookup) => lookup.text));
  const marks = [...new Set([...terms, ...stems])];
  const pages = await Promise.all(best.map(([document]) => fragment(document, marks)));
  return answered(query, pages, pages.map((data, i) => group(data, best[i][1], terms)));
}

async function search(query) {
  // The query's words, as Material lists them: lower case, letters and digits.
  const terms = [...new Set(query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean))];
  if (!terms.length) return { items: [] };
  if (INDEX !== null) return searchIndex(query, terms);
  const module = await loadPagefind();
  const found = await module.search(query);
  if (!found || !found.results) return { items: [] };
  const results = found.results.slice(0, MAX_PAGES);
  const pages = await Promise.all(results.map((result) => result.data()));
  return answered(query, pages, pages.map((data, i) => group(data, results[i].score, terms)));
}

// Material's answer: the groups, and the suggestion from the best page's title.
function answered(query, pages, groups) {
  if (!suggestions) return { items: groups };
  return { items: groups, suggest: suggest(query, pages[0]?.meta?.title) };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(query) {
  const id = ++latest;
  if (!query.trim()) return { items: [] };
  await pause(WAIT_MS);
  if (id !== latest) return null;
  let result;
  try {
    result = await search(query);
  } catch (error) {
    console.warn(`Search failed for: ${query}`, error);
    result = { items: [] };
  }
  return id === latest ? result : null;
}

addEventListener("message", async (event) => {
  const message = event.data ?? {};
  switch (message.type) {
    case SETUP:
      suggestions = Boolean(message.data?.options?.suggest);
      postMessage({ type: READY });
      break;
    case QUERY: {
      const result = await answer(String(message.data ?? ""));
      if (result !== null) postMessage({ type: RESULT, data: result });
      break;
    }
    default:
      break;
  }
});
