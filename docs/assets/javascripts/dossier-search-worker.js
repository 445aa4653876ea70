/*
 * Dossier's search worker: Material for MkDocs' search UI, answered by Pagefind.
 *
 * With extra.search_backend: pagefind (build_scripts/search.py), overrides/main.html points
 * Material's __config.search at this file, so Material's UI (the search box, result list,
 * keyboard handling, highlighting) starts it as its search worker instead of its lunr worker.
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
 * Pagefind (site/pagefind/0/pagefind.js, an ES module, loaded with import() at the first query:
 * nothing is downloaded before a reader types) finds the pages, in every shard of the index; each page's fragment gives its
 * text, its headings (anchors) and where the query's words are in it (word positions in the
 * text split at white space, as Pagefind's own excerpts count them).
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

let suggestions = false;
let pagefind = null; // Promise of the initialised Pagefind module
let latest = 0; // the newest query: results of older ones are dropped

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// Whether a piece of a page's word (letters and digits, lower case) is the query's word
// `term`: Pagefind finds words by their start ("bag" finds "Bagheri") and by their stem
// ("attacks" finds "attack"), so a shared start of 4 letters or more counts too.
function matches(term, piece) {
  if (!term || !piece) return false;
  if (piece.startsWith(term)) return true;
  let same = 0;
  while (same < term.length && same < piece.length && term[same] === piece[same]) same += 1;
  return same >= Math.max(4, Math.min(term.length, piece.length) - 2);
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

function loadPagefind() {
  if (pagefind === null) {
    pagefind = openPagefind();
    pagefind.catch(() => {
      pagefind = null; // try again at the next query
    });
  }
  return pagefind;
}

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

async function search(query) {
  // The query's words, as Material lists them: lower case, letters and digits.
  const terms = [...new Set(query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean))];
  if (!terms.length) return { items: [] };
  const module = await loadPagefind();
  const found = await module.search(query);
  if (!found || !found.results) return { items: [] };
  const results = found.results.slice(0, MAX_PAGES);
  const pages = await Promise.all(results.map((result) => result.data()));
  const groups = pages.map((data, i) => group(data, results[i].score, terms));
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
