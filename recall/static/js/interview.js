/* Interview page: Ctrl+Enter submits the typed answer (a timed question submits itself when
   its time is up); once scored, 1-4 pick the grade and Enter records it and goes on. */
(function () {
  "use strict";
  var root = document.getElementById("interview");
  if (!root) return;
  var shownAt = Date.now();
  var answerForm = document.getElementById("answer-form");
  var confirmForm = document.getElementById("confirm-form");
  var duration = document.getElementById("interview-duration");
  var busy = false;

  function submit(form) {
    if (busy || !form) return;
    busy = true;
    if (duration) duration.value = String(Date.now() - shownAt);
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  if (answerForm) {
    answerForm.addEventListener("submit", function () {
      if (duration) duration.value = String(Date.now() - shownAt);
    });
    var box = answerForm.querySelector("textarea");
    if (box) box.focus();
    var seconds = document.getElementById("interview-seconds");
    var left = parseInt(root.getAttribute("data-seconds-left") || "", 10);
    if (seconds && !isNaN(left)) {
      var timer = window.setInterval(function () {
        left -= 1;
        seconds.textContent = String(Math.max(0, left));
        if (left <= 0) {
          window.clearInterval(timer);
          submit(answerForm);
        }
      }, 1000);
    }
  }

  document.addEventListener("keydown", function (event) {
    if (answerForm && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit(answerForm);
      return;
    }
    if (!confirmForm || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[1-4]$/.test(event.key)) {
      event.preventDefault();
      var radio = confirmForm.querySelector('input[name="grade"][value="' + event.key + '"]');
      if (radio) {
        radio.checked = true;
        radio.focus();
      }
    } else if (event.key === "Enter") {
      event.preventDefault();
      submit(confirmForm);
    }
  });
})();
