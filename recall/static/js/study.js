/* Study page: space reveals the answer, 1-4 grade, z undoes, o/e open or edit the card,
   s/b/f suspend, bury or flag it; the server does the rest. */
(function () {
  "use strict";
  var root = document.getElementById("study");
  if (!root) return;
  var shownAt = Date.now();
  var answer = document.getElementById("study-answer");
  var reveal = document.getElementById("reveal");
  var grades = document.getElementById("grade-form");
  var duration = document.getElementById("duration");
  var undo = document.getElementById("undo-form");
  var actions = document.getElementById("card-action-form");
  var busy = false;

  function revealed() { return answer && !answer.hidden; }

  function show() {
    if (!answer || revealed()) return;
    answer.hidden = false;
    // A cloze back is the whole text again, its deletions filled in: it takes the front's place.
    var question = document.getElementById("study-question");
    if (question && answer.hasAttribute("data-replaces-question")) question.hidden = true;
    grades.hidden = false;
    reveal.hidden = true;
    reveal.setAttribute("aria-expanded", "true");
    var good = grades.querySelector('button[data-key="3"]');
    if (good) good.focus();
  }

  function submit(form, button) {
    if (busy) return;
    busy = true;
    if (duration) duration.value = String(Date.now() - shownAt);
    if (form.requestSubmit) form.requestSubmit(button || undefined);
    else form.submit();
  }

  if (reveal) reveal.addEventListener("click", show);
  if (grades) grades.addEventListener("submit", function () {
    if (duration) duration.value = String(Date.now() - shownAt);
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var key = event.key;
    if ((key === " " || key === "Enter") && answer && !revealed()) {
      event.preventDefault();
      show();
    } else if (/^[1-4]$/.test(key) && revealed()) {
      event.preventDefault();
      submit(grades, grades.querySelector('button[data-key="' + key + '"]'));
    } else if ((key === "z" || key === "Z") && undo) {
      event.preventDefault();
      submit(undo, null);
    } else if (key === "o" || key === "e") {
      var link = document.getElementById(key === "o" ? "action-open" : "action-edit");
      if (link) {
        event.preventDefault();
        window.location.assign(link.href);
      }
    } else if (/^[sbf]$/.test(key) && actions) {
      event.preventDefault();
      submit(actions, actions.querySelector('button[data-action-key="' + key + '"]'));
    }
  });
})();
