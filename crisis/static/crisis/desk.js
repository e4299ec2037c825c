/* Golden Hours crisis desk: countdowns, keyboard shortcuts, character counts.
   Countdowns use the server's clock (which tests and drills may move), not the browser's. */
(function () {
  "use strict";
  var skew = 0;

  function syncClock(root) {
    var el = (root || document).querySelector("[data-server-now]") || document.querySelector("[data-server-now]");
    if (el) { skew = Date.parse(el.getAttribute("data-server-now")) - Date.now(); }
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function span(seconds) {
    var s = Math.abs(Math.round(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(r);
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = span((now - Date.parse(el.getAttribute("data-since"))) / 1000);
    });
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = (Date.parse(el.getAttribute("data-due")) - now) / 1000;
      var row = el.closest(".deadline, tr");
      if (left >= 0) {
        el.textContent = (el.getAttribute("data-label-left") || "") + " " + span(left);
      } else {
        el.textContent = (el.getAttribute("data-label-overdue") || "-") + " " + span(left);
        if (row) { row.classList.add("is-overdue"); }
      }
    });
  }

  /* Polling must never wipe what somebody is typing or has opened: skip a refresh while busy. This is an event
     listener, not an hx-trigger filter, because htmx evaluates filters as code, which the CSP forbids. */
  function isQuiet(el) {
    if (el.contains(document.activeElement) && document.activeElement !== el) { return false; }
    return !el.querySelector("details[open]");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = event.detail.elt;
    if (el.hasAttribute("data-poll-when-quiet") && !isQuiet(el)) { event.preventDefault(); }
  });

  /* Selects that apply themselves (organization, language, filters): no inline onchange under the CSP. */
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) { event.target.form.submit(); }
  });

  /* Progress of post-mortem files being generated: ask every few seconds until each one is finished. */
  function watchReports() {
    document.querySelectorAll("[data-report-status]").forEach(function (el) {
      if (!/%/.test(el.textContent)) { return; }
      var timer = setInterval(function () {
        fetch(el.getAttribute("data-report-status"), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (s) {
            var finished = s.status === "done" || s.status === "failed";
            el.textContent = s.status + (finished ? "" : " · " + s.progress + "%");
            if (finished) { clearInterval(timer); if (s.status === "done") { location.reload(); } }
          });
      }, 3000);
    });
  }

  function countCharacters(textarea) {
    var target = document.getElementById(textarea.getAttribute("data-counts"));
    if (!target) { return; }
    var limits = JSON.parse(textarea.getAttribute("data-limits") || "{}");
    var channelSelect = document.getElementById(textarea.getAttribute("data-channel-field") || "");
    var channel = channelSelect ? channelSelect.value : textarea.getAttribute("data-channel");
    var length = Array.from(textarea.value.replace(/\r\n/g, "\n")).length;
    target.querySelectorAll("[data-limit]").forEach(function (item) {
      var limit = parseInt(item.getAttribute("data-limit"), 10);
      var over = length > limit;
      item.classList.toggle("over", over);
      item.querySelector("output").textContent = length + " / " + limit;
      item.toggleAttribute("data-current", item.getAttribute("data-channel") === channel);
    });
    var total = target.querySelector("[data-total]");
    if (total) { total.textContent = length; }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-counts]")) { countCharacters(event.target); }
  });
  document.addEventListener("change", function (event) {
    document.querySelectorAll("textarea[data-counts]").forEach(countCharacters);
  });

  /* "/" or "l" jumps to the quick-log box from anywhere that is not a text field. */
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "/" || event.key === "l") {
      var box = document.getElementById("id_body");
      if (box && box.closest(".quick-log")) { event.preventDefault(); box.focus(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncClock(document);
    tick();
    document.querySelectorAll("textarea[data-counts]").forEach(countCharacters);
    watchReports();
    window.setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSettle", function (event) { syncClock(event.target); tick(); });
})();
