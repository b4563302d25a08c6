/* Recall site script: live Markdown preview on the card editor (debounced, CSRF-protected),
   the deck page's new-note keys, copy buttons, the card browser's tick-all box, Ctrl+Enter
   in the note editor, charts scrolled to today. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setupPreview(form) {
    var url = form.getAttribute("data-preview-url");
    form.querySelectorAll("textarea[data-preview]").forEach(function (area) {
      var target = document.getElementById("preview-" + area.getAttribute("data-preview"));
      if (!target) return;
      var timer = null;
      var latest = 0;
      area.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          var ticket = ++latest;
          var body = new URLSearchParams();
          body.set("text", area.value);
          fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: { "X-CSRFToken": csrfToken(form), "Content-Type": "application/x-www-form-urlencoded" },
            body: body.toString()
          })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (data) {
              // Only the answer to the newest keystroke may replace the preview.
              if (data && ticket === latest) target.innerHTML = data.html;
            })
            .catch(function () { /* the preview is a courtesy; saving still works */ });
        }, 300);
      });
    });
  }

  document.querySelectorAll("form[data-preview-url]").forEach(setupPreview);

  // "Copy" buttons: data-copy names the field whose value goes to the clipboard.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      field.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  });

  // The deck page's "New note" form: n goes to it (its kind first), Ctrl/Cmd+Enter adds the
  // note; back on the page after adding, the question box has the focus for the next one.
  var newNote = document.querySelector("form[data-new-note-form]");
  if (newNote) {
    var kind = newNote.querySelector("select[name=kind]");
    var question = newNote.querySelector("textarea[name=question]");
    // ("next" rather than a #fragment: scrolling to a fragment would take the focus away.)
    if (/[?&]next=1(&|$)/.test(window.location.search) && question) {
      newNote.scrollIntoView({ block: "start" });
      question.focus();
    }
    document.addEventListener("keydown", function (event) {
      var tag = (event.target && event.target.tagName) || "";
      var typing = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && newNote.contains(event.target)) {
        event.preventDefault();
        if (newNote.requestSubmit) newNote.requestSubmit();
        else newNote.submit();
      } else if (event.key === "n" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        newNote.scrollIntoView({ block: "start" });
        (kind || question).focus();
      }
    });
  }

  // The card browser: one box ticks (or unticks) every card of the page.
  document.querySelectorAll("[data-tick-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var form = box.closest("form");
      if (!form) return;
      form.querySelectorAll("input[name=cards]").forEach(function (card) { card.checked = box.checked; });
    });
  });

  // Every note editor (not the new-note form, handled above): Ctrl/Cmd+Enter saves.
  document.querySelectorAll("form[data-preview-url]:not([data-new-note-form])").forEach(function (form) {
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      }
    });
  });

  // On a narrow screen the heatmap scrolls: start at today, not a year ago.
  document.querySelectorAll(".chart-scroll").forEach(function (box) {
    box.scrollLeft = box.scrollWidth;
  });
})();
