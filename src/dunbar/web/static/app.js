// dunbar's few behaviours: the L shortcut and the log dialog, the people picker, error messages, the chart.
// Everything else is plain HTML forms enhanced by htmx; the pages work without this file.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function openLog() {
    var dialog = document.getElementById("log-dialog");
    var who = document.getElementById("log-who");
    if (dialog && !dialog.open) dialog.showModal();
    if (who) who.focus();
  }

  document.addEventListener("keydown", function (e) {
    if (e.key !== "l" && e.key !== "L") return;
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (document.querySelector("dialog[open]") && !document.getElementById("log-dialog")) return;
    e.preventDefault();
    openLog();
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;
    if (t.closest("#log-open")) { e.preventDefault(); openLog(); return; }
    var close = t.closest("[data-close-dialog]");
    if (close) { var d = close.closest("dialog"); if (d) d.close(); return; }
    var pick = t.closest("[data-pick-id]");
    if (pick) { addChip(pick.getAttribute("data-pick-id"), pick.getAttribute("data-pick-name")); return; }
    var remove = t.closest("[data-remove-chip]");
    if (remove) { remove.closest(".chip").remove(); }
  });

  // A picked person becomes a chip holding a hidden input; textContent keeps any name inert.
  function addChip(id, name) {
    var box = document.getElementById("log-picked");
    var who = document.getElementById("log-who");
    var list = document.getElementById("log-suggestions");
    if (!box) return;
    if (!box.querySelector('input[value="' + CSS.escape(id) + '"]')) {
      var chip = document.createElement("span");
      chip.className = "chip";
      chip.setAttribute("data-testid", "log-chip");
      var label = document.createElement("span");
      label.textContent = name;
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "person"; input.value = id;
      var x = document.createElement("button");
      x.type = "button"; x.className = "chip-x"; x.textContent = "×";
      x.setAttribute("data-remove-chip", "");
      x.setAttribute("aria-label", "Remove " + name);
      chip.append(label, input, x);
      box.append(chip);
    }
    if (who) { who.value = ""; who.focus(); }
    if (list) list.textContent = "";
  }

  // After logging, the form is ready for the next one.
  document.body.addEventListener("interaction-logged", function () {
    var form = document.getElementById("log-form");
    if (!form) return;
    var box = document.getElementById("log-picked");
    var summary = document.getElementById("log-summary");
    if (box) box.textContent = "";
    if (summary) summary.value = "";
  });

  // Errors from htmx requests: show the page's message (as text) instead of swapping nothing silently.
  function toast(text) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.classList.add("show");
    clearTimeout(el._t);
    el._t = setTimeout(function () { el.classList.remove("show"); }, 6000);
  }
  document.body.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var detail = doc.querySelector("[data-error-detail]");
    var hint = doc.querySelector("[data-error-hint]");
    var text = detail ? detail.textContent : "That did not work (" + xhr.status + ").";
    if (hint) text += " " + hint.textContent;
    toast(text);
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("dunbar is not answering. Is `dunbar serve` still running?");
  });

  // The strength chart: data from the element's data-points attribute (JSON, never executed), drawn with uPlot.
  function drawCharts(root) {
    if (typeof uPlot === "undefined") return;
    root.querySelectorAll("[data-chart=strength]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var raw = el.getAttribute("data-points");
      if (!raw) return;
      var points = JSON.parse(raw);
      var xs = points.map(function (p) { return Date.parse(p.date) / 1000; });
      var ys = points.map(function (p) { return p.score; });
      el.dataset.drawn = "1";
      var width = Math.max(200, el.clientWidth || 300);
      new uPlot({
        width: width, height: 160,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: [0, 100] } },
        axes: [{ stroke: "#6b6b6b", grid: { show: false } }, { stroke: "#6b6b6b", size: 36, grid: { stroke: "#eee" } }],
        series: [{}, { label: "Strength", stroke: "#2f6f62", width: 2, fill: "rgba(47,111,98,0.08)" }],
      }, [xs, ys], el);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.body.addEventListener("htmx:afterSettle", function (e) { drawCharts(e.target); });

  // No double submits of slow forms (an import): the button says it is busy.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList && form.classList.contains("upload")) {
      form.classList.add("is-busy");
      var b = form.querySelector("button[type=submit]");
      if (b) b.disabled = true;
    }
  });
})();
