/* Search box of the PRP report's web edition: plain JavaScript, offline, no
   library. The index is the edition's search.json (one entry per section:
   href, title, section, text); search-index.js carries the same entries as
   window.PRP_SEARCH_INDEX so that search works from a folder opened with
   file:// too, where a browser refuses to fetch search.json. Every term of the
   query must occur in an entry (case and accents ignored); a match in a title
   ranks first. Results are built with textContent: text from the index is
   never read as HTML. */
(function () {
  "use strict";
  var MAX = 12;
  var entries = null;

  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function load() {
    if (entries) return Promise.resolve(entries);
    var ready = window.PRP_SEARCH_INDEX
      ? Promise.resolve(window.PRP_SEARCH_INDEX)
      : fetch("search.json").then(function (r) { return r.json(); });
    return ready.then(function (list) {
      entries = list.map(function (e) {
        return { e: e, title: fold(e.title + " " + (e.section || "")), text: fold(e.text) };
      });
      return entries;
    });
  }

  function snippet(text, term) {
    var at = fold(text).indexOf(term);
    var start = Math.max(0, at - 60);
    var s = text.slice(start, start + 180);
    return (start > 0 ? "… " : "") + s + (start + 180 < text.length ? " …" : "");
  }

  function search(query) {
    var terms = fold(query).split(/\s+/).filter(function (t) { return t.length > 1; });
    if (!terms.length) return [];
    var hits = [];
    entries.forEach(function (x) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var inTitle = x.title.indexOf(terms[i]) >= 0;
        var inText = x.text.indexOf(terms[i]) >= 0;
        if (!inTitle && !inText) return;
        score += inTitle ? 10 : 1;
      }
      hits.push({ x: x, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, MAX).map(function (h) {
      return { entry: h.x.e, snippet: snippet(h.x.e.text || "", terms[0]) };
    });
  }

  function show(list, results, query) {
    list.textContent = "";
    if (!query.trim()) { list.hidden = true; return; }
    list.hidden = false;
    if (!results.length) {
      var none = document.createElement("li");
      none.className = "prp-search-none";
      none.textContent = "No section mentions “" + query.trim() + "”.";
      list.appendChild(none);
      return;
    }
    results.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.entry.href;
      var title = document.createElement("span");
      title.className = "prp-search-title";
      title.textContent = r.entry.title;
      a.appendChild(title);
      if (r.entry.section && r.entry.section !== r.entry.title) {
        var sec = document.createElement("span");
        sec.className = "prp-search-section";
        sec.textContent = r.entry.section;
        a.appendChild(sec);
      }
      var text = document.createElement("span");
      text.className = "prp-search-snippet";
      text.textContent = r.snippet;
      a.appendChild(text);
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("prp-search");
    if (!form) return;
    var input = form.querySelector("input");
    var list = form.querySelector("ol");
    function run() {
      var q = input.value;
      load().then(function () { show(list, search(q), q); }, function () {
        list.hidden = false;
        list.textContent = "";
        var li = document.createElement("li");
        li.className = "prp-search-none";
        li.textContent = "The search index could not be loaded.";
        list.appendChild(li);
      });
    }
    input.addEventListener("input", run);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      run();
      var first = list.querySelector("a");
      if (first) window.location.href = first.href;
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { input.value = ""; show(list, [], ""); }
    });
  });
})();
