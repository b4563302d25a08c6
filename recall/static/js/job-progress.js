/* Live progress of a background job: websocket first, polling of the JSON status as fallback.
 *
 * Markup contract (the job page provides it):
 *   <section data-job-progress data-job-id="42" data-status-url="/jobs/42/status/">
 *     <progress data-job-bar max="1" value="0"></progress>
 *     <span data-job-status></span> <span data-job-count></span>
 *     <p data-job-message></p>
 *     <a data-job-link hidden>Open the deck</a>
 *   </section>
 * Every update is also dispatched on the section as a "job:update" CustomEvent (detail = state),
 * so a page can add its own behaviour without editing this file.
 */
(function () {
  "use strict";

  var POLL_MS = 1500;

  function isFinished(state) {
    return state.finished === true || state.status === "succeeded" || state.status === "failed";
  }

  function render(root, state) {
    var bar = root.querySelector("[data-job-bar]");
    var status = root.querySelector("[data-job-status]");
    var count = root.querySelector("[data-job-count]");
    var message = root.querySelector("[data-job-message]");
    var link = root.querySelector("[data-job-link]");
    var total = Number(state.total || 0);
    var done = Number(state.progress || 0);
    var failed = state.status === "failed";
    if (bar) {
      if (failed) {
        bar.max = total > 0 ? total : 1; // how far it got, never a full bar
        bar.value = total > 0 ? Math.min(done, total) : 0;
      } else if (total > 0) {
        bar.max = total;
        bar.value = Math.min(done, total);
      } else if (isFinished(state)) {
        bar.max = 1;
        bar.value = 1;
      } else {
        bar.removeAttribute("value"); // indeterminate until the total is known
      }
    }
    if (status && state.status) {
      status.textContent = state.status_display || state.status;
      status.className = "status status-" + state.status;
    }
    if (count && total > 0) count.textContent = done + " / " + total;
    if (message && typeof state.message === "string") {
      message.textContent = state.message || (failed ? "The job failed." : "");
      message.classList.toggle("message", failed);
      message.classList.toggle("error", failed);
    }
    if (link && state.deck_url) {
      link.href = state.deck_url;
      link.hidden = !isFinished(state);
    }
    root.dataset.jobState = state.status || "";
    root.setAttribute("aria-busy", isFinished(state) ? "false" : "true");
    root.dispatchEvent(new CustomEvent("job:update", { detail: state }));
  }

  function poll(root, url) {
    var timer = null;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (state) {
          render(root, state);
          if (!isFinished(state)) timer = window.setTimeout(tick, POLL_MS);
        })
        .catch(function () {
          timer = window.setTimeout(tick, POLL_MS * 2);
        });
    }
    tick();
    return function stop() {
      if (timer !== null) window.clearTimeout(timer);
    };
  }

  function watch(root) {
    var jobId = root.dataset.jobId;
    var statusUrl = root.dataset.statusUrl;
    if (!jobId) return;
    var finished = false;
    var polling = false;
    function fallback() {
      if (finished || polling || !statusUrl) return;
      polling = true;
      poll(root, statusUrl);
    }
    if (!("WebSocket" in window)) {
      fallback();
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + "/ws/jobs/" + jobId + "/");
    } catch (err) {
      fallback();
      return;
    }
    socket.addEventListener("message", function (event) {
      var state;
      try {
        state = JSON.parse(event.data);
      } catch (err) {
        return;
      }
      render(root, state);
      if (isFinished(state)) {
        finished = true;
        socket.close(1000);
      }
    });
    // Closed before the end (no websocket server, a proxy timeout, not allowed): poll instead.
    socket.addEventListener("close", function () {
      if (!finished) fallback();
    });
    socket.addEventListener("error", fallback);
  }

  function start() {
    var roots = document.querySelectorAll("[data-job-progress]");
    for (var i = 0; i < roots.length; i++) watch(roots[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
