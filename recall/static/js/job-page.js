/* Import job page: job-progress.js follows the job live; when it ends, show the server's summary. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-finished") === "true") return;
  box.addEventListener("job:update", function (event) {
    var state = event.detail || {};
    if (state.finished === true || state.status === "succeeded" || state.status === "failed") {
      // The finished page is rendered by the server, with links to the imported decks.
      window.setTimeout(function () { window.location.reload(); }, 400);
    }
  });
})();
