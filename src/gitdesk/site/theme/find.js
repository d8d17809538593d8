/* gitdesk: find a request by its ID on the status board.
   Looks the ID up in api/requests.json, which lists the public requests only; an unlisted
   request is never in it (its page opens only from its own secret link). Nothing is sent
   anywhere: the lookup happens in the browser. */
(function () {
  "use strict";
  var form = document.getElementById("gd-find");
  if (!form) { return; }
  var input = document.getElementById("gd-find-id");
  var result = document.getElementById("gd-find-result");
  var index = null;
  function say(text) { result.textContent = text; }
  function load() {
    if (!index) {
      index = fetch(form.getAttribute("data-index"), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { return data.requests || {}; });
    }
    return index;
  }
  function find(requests, raw) {
    // IDs are compared without case ("hd-4F7K" finds HD-4f7k...); a unique start of one is enough
    var want = raw.trim().replace(/^\[|\]$/g, "").toLowerCase();
    var hits = Object.keys(requests).filter(function (id) { return id.toLowerCase().indexOf(want) === 0; });
    var exact = hits.filter(function (id) { return id.toLowerCase() === want; });
    if (exact.length === 1) { return requests[exact[0]]; }
    return hits.length === 1 && want.length >= 6 ? requests[hits[0]] : null;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!/^[A-Za-z0-9\[\]-]{3,40}$/.test(input.value.trim())) { say(form.getAttribute("data-bad")); return; }
    load().then(function (requests) {
      var url = find(requests, input.value);
      if (url) { window.location.href = new URL(url, document.baseURI).href; }
      else { say(form.getAttribute("data-missing")); }
    }).catch(function () { window.location.href = form.getAttribute("action"); });
  });
})();
