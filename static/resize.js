/* Recipient pages inside a host site's iframe: tell the host how tall this page is, so its iframe fits; and
   after a failed submit bring the error summary into sight.

   Loaded only when the page is framed (base.html checks Sec-Fetch-Dest); nothing on the page needs it.

   Handshake instead of a guessed target origin: the host's embed.js knows our origin (its iframe's src) and
   says "hello" to us after every load; we answer its exact origin (event.origin, set by the browser) and keep
   posting there when our height changes. We cannot know the host's origin ourselves: document.referrer is
   the host only on the first load (after a form post it is our own page, and a host may send none at all),
   and location.ancestorOrigins is missing in Firefox. Posting to "*" would work too (CSP frame-ancestors only
   lets FRAME_ANCESTORS frame us, so any parent is allowed), but a named origin keeps even the height from
   reaching a window that is not our parent. Whoever is our parent passed frame-ancestors, so any origin
   saying hello from window.parent may have the answer. */
(function () {
  "use strict";
  if (window.parent === window) return;

  var HELLO = "preference-center:hello";
  var HEIGHT = "preference-center:height";
  var hostOrigin = null;
  var reported = 0;

  /* The content's height. Not scrollHeight: it never drops below the iframe's own height, so a shorter page
     (the confirmation after a long form) could never shrink the iframe. The root element's box is its
     content; body's margins are 0 and the root's children do not collapse margins through it. */
  function contentHeight() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }

  function report() {
    if (hostOrigin === null) return;
    var height = contentHeight();
    if (height === reported) return;
    reported = height;
    window.parent.postMessage({ type: HEIGHT, height: height }, hostOrigin);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== HELLO) return;
    if (event.origin === "null") return; // an opaque origin cannot be named as a target
    hostOrigin = event.origin;
    reported = 0; // a new host page (or a reloaded one) gets the height even if it has not changed
    report();
  });
  // Errors shown, a field revealed, the host's width changing the line breaks: all change the root's size.
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("resize", report);

  /* A page showing errors has its summary `autofocus`ed, which browsers refuse inside a cross-origin iframe:
     focus did not move, and the host page is still scrolled to where the recipient pressed the button, with
     the summary far above, out of sight. Then focus it (screen readers read it out, Tab goes on to its links)
     and scroll it into view, which scrolls the host page too, unless it is in view already. */
  function revealErrorSummary() {
    var summary = document.querySelector(".pc-error-summary");
    if (!summary || document.activeElement === summary) return;
    summary.focus({ preventScroll: true });
    if (!window.IntersectionObserver) {
      summary.scrollIntoView({ block: "center" });
      return;
    }
    // Without a root it measures against the top-level viewport, the host page's, across origins too.
    var observer = new IntersectionObserver(function (entries) {
      observer.disconnect();
      if (entries[0].intersectionRatio < 1) summary.scrollIntoView({ block: "center" });
    });
    observer.observe(summary);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", revealErrorSummary);
  } else {
    revealErrorSummary();
  }
})();
