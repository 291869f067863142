/* The page configuration's links for Maileon mailings (admin change form, #mailing-links).

   - The links follow the slug (and the "default page" box) as they are typed, before the first save too. Each
     link comes from the server twice, as data attributes: for the default page, and for any other page with
     "{slug}" to fill in (backoffice/links_builder.py), so the link shapes live in one place.
   - A copy button per line: the Clipboard API where the browser allows it, else the text is selected (and copied
     the old way where that still works) and the marketer is told to press Ctrl+C. The outcome is announced in
     a live region; every text comes translated from the server.

   Progressive: without this script the saved page's links show as rendered, without copy buttons. Loaded as a
   file of our origin: the admin's CSP allows no inline script. */
(function () {
  "use strict";

  var SLUG_MARK = "{slug}";
  var SLUG = /^[-a-zA-Z0-9_]+$/; // Django's slug, as the URL pattern /p/<slug:slug>/ accepts it

  function start() {
    var box = document.getElementById("mailing-links");
    if (!box) {
      return;
    }
    var slugInput = document.getElementById(box.getAttribute("data-slug-field"));
    var defaultInput = document.getElementById(box.getAttribute("data-default-field"));
    var waiting = document.getElementById("mailing-links-waiting");
    var status = document.getElementById("mailing-links-status");
    var codes = box.querySelectorAll("code[data-other-page]");
    var rows = box.querySelectorAll(".pc-link-row");
    var buttons = box.querySelectorAll("button[data-copy]");

    function update() {
      var slug = slugInput ? slugInput.value.trim() : "";
      var isDefault = Boolean(defaultInput && defaultInput.checked);
      var ready = isDefault || SLUG.test(slug);
      Array.prototype.forEach.call(codes, function (code) {
        if (ready) {
          code.textContent = isDefault ? code.getAttribute("data-default-page")
            : code.getAttribute("data-other-page").split(SLUG_MARK).join(slug);
        }
      });
      Array.prototype.forEach.call(rows, function (row) { row.hidden = !ready; });
      waiting.hidden = ready;
    }

    function say(message) {
      // Emptied first, so the same message twice in a row is announced twice.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 100);
    }

    function selectAndCopy(code, button) {
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      say(button.getAttribute(copied ? "data-copied" : "data-selected"));
    }

    function copy(button) {
      var code = document.getElementById(button.getAttribute("data-copy"));
      var text = code.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { say(button.getAttribute("data-copied")); },
          function () { selectAndCopy(code, button); }
        );
      } else {
        selectAndCopy(code, button);
      }
    }

    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
    // keyup too: Django's prepopulate.js writes the slug from the name on keyup, without an input event.
    ["input", "change", "keyup"].forEach(function (type) {
      document.addEventListener(type, function (event) {
        if (event.target === slugInput || event.target === defaultInput || event.target.id === "id_name") {
          update();
        }
      });
    });
    update();
    box.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
