// Polls a job's status and moves the progress bar until the job ends.
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var message = document.getElementById("job-message");
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        bar.value = j.progress; bar.textContent = j.progress + "%";
        status.textContent = j.status_label || j.status; status.setAttribute("data-status", j.status);
        message.textContent = j.message || "";
        if (j.status !== "done" && j.status !== "failed") setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
