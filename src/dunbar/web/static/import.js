// The import form: how much of the file has been sent, from htmx's upload progress events; then the page shows
// the server's own progress (records read), polled by htmx, and the report. Without JavaScript the form posts
// as a plain form and the answer is the report.
(function () {
  "use strict";
  var form = document.querySelector("form.upload[hx-post]");
  if (!form) return;
  var box = form.querySelector(".upload-progress");
  var bar = box && box.querySelector("progress");
  var text = box && box.querySelector("[data-upload-text]");
  if (!box || !bar || !text) return;

  function size(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " bytes";
  }
  var sending = false;
  form.addEventListener("htmx:beforeRequest", function () {
    sending = true;
    box.hidden = false;
    bar.value = 0;
    text.textContent = "";
  });
  // htmx reports the upload's progress and then the answer's download under the same name: only the first counts.
  form.addEventListener("htmx:xhr:progress", function (e) {
    if (!sending || !e.detail.lengthComputable || !e.detail.total) return;
    bar.max = e.detail.total;
    bar.value = e.detail.loaded;
    text.textContent = size(e.detail.loaded) + " of " + size(e.detail.total);
    if (e.detail.loaded >= e.detail.total) sending = false;
  });
  form.addEventListener("htmx:afterRequest", function () {
    sending = false;
    box.hidden = true;
    form.classList.remove("is-busy");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = false;
  });
})();
