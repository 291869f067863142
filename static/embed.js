/* Embeds the recipient pages in a host site (docs/embedding.md). The one snippet on the host page:

     <div data-preference-center="https://prefs.example.com/profile/" data-title="Newsletter settings"></div>
     <script defer src="https://prefs.example.com/static/embed.js"></script>

   For each such element: an iframe on that URL, given the recipient's link from the host page's own query
   (the mailing's link points to the host page), and kept as tall as the page inside it, so the host page
   scrolls and the iframe never does. Heights come from the page's resize.js by postMessage; only messages
   from that iframe's window on the pages' origin are believed. */
(function () {
  "use strict";

  // The link's parameters in Maileon's spellings (links.py); nothing else of the host's query (campaign
  // tags, the host's own state) is passed on.
  var LINK_PARAMETERS = ["contactid", "id", "checksum", "mailingid", "mailingId", "lang"];
  var HELLO = "preference-center:hello";
  var HEIGHT = "preference-center:height";
  // Until the page reports (or if it never can: an old browser, its script blocked), the iframe scrolls.
  var FALLBACK_HEIGHT = "40rem";
  var MAX_HEIGHT = 20000; // a runaway page must not make the host page endless

  function frameUrl(address) {
    var url = new URL(address, document.baseURI);
    var query = new URLSearchParams(window.location.search);
    LINK_PARAMETERS.forEach(function (name) {
      query.getAll(name).forEach(function (value) { url.searchParams.append(name, value); });
    });
    return url;
  }

  function embed(container) {
    if (container.querySelector("iframe")) return; // the script included twice embeds once
    var url = frameUrl(container.getAttribute("data-preference-center"));
    var iframe = document.createElement("iframe");
    iframe.src = url.href;
    iframe.title = container.getAttribute("data-title") || "Newsletter";
    // CSSOM, not a style attribute: a host page's strict CSP (no 'unsafe-inline' styles) allows this.
    iframe.style.display = "block";
    iframe.style.width = "100%";
    iframe.style.border = "0";
    iframe.style.height = FALLBACK_HEIGHT;

    // Every load in the frame (the first page, each page a form post leads to) gets a hello, so that page
    // learns our origin and reports its height to it.
    iframe.addEventListener("load", function () {
      iframe.contentWindow.postMessage({ type: HELLO }, url.origin);
    });
    window.addEventListener("message", function (event) {
      if (event.origin !== url.origin || event.source !== iframe.contentWindow) return;
      var data = event.data;
      if (!data || data.type !== HEIGHT) return;
      var height = Number(data.height);
      if (!(height > 0)) return;
      iframe.style.height = Math.min(Math.ceil(height), MAX_HEIGHT) + "px";
    });
    container.appendChild(iframe);
  }

  function embedAll() {
    document.querySelectorAll("[data-preference-center]").forEach(embed);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", embedAll);
  } else {
    embedAll();
  }
})();
