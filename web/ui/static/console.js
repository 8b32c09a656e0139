/* The officer console's batch page: shows the progress of a running batch without reloading.

   Every second it asks the status endpoint (data-status-url, JSON: state, done, total, text) and moves the progress
   bar and the status line; when the state changes (the batch finished, failed, or started here) the page is
   reloaded so that the server shows the result. Without this script the page still works: its Refresh link
   shows the progress so far.
*/
(function () {
  "use strict";
  var box = document.getElementById("batch");
  var bar = document.getElementById("batch-progress");
  var line = document.getElementById("batch-status");
  if (!box || !bar || !line || typeof window.fetch !== "function") {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var state = box.getAttribute("data-state");
  if (!url || state === "done" || state === "failed") {
    return;
  }
  var refresh = document.getElementById("batch-refresh");
  if (refresh) {
    refresh.hidden = true;
  }
  var INTERVAL_MS = state === "stalled" ? 3000 : 1000;

  function poll() {
    window.fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        if (status.total > 0) {
          bar.max = status.total;
          bar.value = status.done;
        }
        if (line.textContent !== status.text) {
          line.textContent = status.text;
        }
        if (status.state !== state) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () {
        window.setTimeout(poll, 3 * INTERVAL_MS);
      });
  }

  window.setTimeout(poll, 500);
})();
