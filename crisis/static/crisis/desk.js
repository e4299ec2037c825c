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
  /* Units come translated from the page: data-unit-d/h/min/s on any element (the room's #room carries them;
     crisis.durations.duration_units() gives "%(n)d d" etc., the catalogue's own strings). Same rules as
     crisis/durations.py. A page without them keeps the bare "h:mm:ss" rather than show English units. */
  function unitPatterns() {
    var el = document.querySelector("[data-unit-d]");
    return el ? {d: el.getAttribute("data-unit-d"), h: el.getAttribute("data-unit-h"),
                 min: el.getAttribute("data-unit-min"), s: el.getAttribute("data-unit-s")} : null;
  }
  function unit(key, n) {
    var patterns = unitPatterns();
    return ((patterns && patterns[key]) || ("%(n)d " + key)).replace("%(n)d", String(n));
  }
  function parts(seconds) {
    var s = Math.floor(Math.abs(seconds));
    return {d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600), m: Math.floor((s % 3600) / 60), s: s % 60};
  }
  /* A running clock: "1:02:03", and past a day "4 d 00:00:02" (never "5760:00:02"). */
  function elapsedLabel(seconds) {
    var p = parts(seconds), sign = seconds < 0 ? "-" : "";
    if (p.d && unitPatterns()) { return sign + unit("d", p.d) + " " + pad(p.h) + ":" + pad(p.m) + ":" + pad(p.s); }
    var hours = p.d * 24 + p.h;
    return sign + (hours ? hours + ":" + pad(p.m) : String(p.m)) + ":" + pad(p.s);
  }
  /* Time left with its units, the two largest that matter: "4 h 20 min", "4 min 20 s", "2 d 3 h". */
  function countdownLabel(seconds) {
    var p = parts(seconds);
    if (!unitPatterns()) { return elapsedLabel(Math.abs(seconds)); }
    if (p.d) { return unit("d", p.d) + " " + unit("h", p.h); }
    if (p.h) { return unit("h", p.h) + " " + unit("min", p.m); }
    if (p.m) { return unit("min", p.m) + " " + unit("s", p.s); }
    return unit("s", p.s);
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = elapsedLabel((now - Date.parse(el.getAttribute("data-since"))) / 1000);
    });
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = (Date.parse(el.getAttribute("data-due")) - now) / 1000;
      var row = el.closest(".deadline, tr");
      if (left >= 0) {
        el.textContent = (el.getAttribute("data-label-left") || "") + " " + countdownLabel(left);
      } else {
        el.textContent = (el.getAttribute("data-label-overdue") || "-") + " " + countdownLabel(left);
        if (row) { row.classList.add("is-overdue"); }
      }
    });
    roomAttention(now);
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


  /* ---- The live incident room ----
     Every ~1.5 s the room asks data-version-url for one short fingerprint per panel (a single query of
     indexed aggregates on the server, as cheap with 3,000 lines as with 30) and fetches from data-panels-url
     only the panels whose fingerprint moved, as htmx out-of-band swaps. Polling rather than server-sent
     events: no long-lived connection per open room for gunicorn's sync workers to hold, and nothing to lose
     when a proxy or a laptop lid cuts the connection: the next poll simply catches up. A panel somebody is
     typing in, or has opened a <details> of, is left alone and fetched once they are done. */
  var POLL_MS = 1500;
  /* htmx copies an element's old style attribute onto its replacement while settling; an empty style="" that a
     tool left behind then counts as an inline style, which the Content-Security-Policy refuses. The room's
     panels carry no style attributes, so there is nothing to settle there. */
  if (window.htmx) { window.htmx.config.attributesToSettle = ["class", "width", "height"]; }
  var known = null;
  var polling = false;

  function room() { return document.getElementById("room"); }

  function panelElements(name) {
    return Array.prototype.slice.call(document.querySelectorAll('[data-live-panel="' + name + '"]'));
  }

  /* Somebody is typing in it (a field, not a button just pressed) or has a <details> of it open. */
  function isBusy(el) {
    var active = document.activeElement;
    if (active && active !== el && el.contains(active) &&
        active.matches("textarea, select, input:not([type=hidden]):not([type=submit]):not([type=button])")) { return true; }
    return !!el.querySelector("details[open]");
  }

  function isPanelBusy(name) {
    var elements = panelElements(name);
    return elements.length > 0 && elements.every(isBusy);
  }

  /* A panel somebody is busy in is not replaced under them, whether by a poll or by the answer to an action
     taken elsewhere in the room (the panel holding the form that was sent is always replaced); it is left
     unrecorded, so the next poll fetches it again once they are done. */
  var pollSwapping = false;
  var requester = null;
  var skipped = {};
  document.addEventListener("htmx:beforeRequest", function (event) {
    requester = event.detail.elt;
    if (!pollSwapping) { skipped = {}; }
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-live-panel")) { return; }
    var isOwn = !pollSwapping && requester && target.contains(requester);
    if (!isOwn && isBusy(target)) {
      event.detail.shouldSwap = false;
      skipped[target.getAttribute("data-live-panel")] = true;
    }
  });

  function timelineParams() {
    var timeline = document.getElementById("timeline");
    var source = timeline && timeline.getAttribute("hx-get");
    if (!source) { return ""; }
    var params = new URL(source, location.href).searchParams;
    return "&kind=" + encodeURIComponent(params.get("kind") || "") + "&until=" + encodeURIComponent(params.get("until") || "");
  }

  function remember(fingerprints, names) {
    names.forEach(function (name) { if (fingerprints[name] !== undefined) { known[name] = fingerprints[name]; } });
  }

  function poll() {
    var el = room();
    if (!el || polling || document.hidden || !window.htmx) { return; }
    polling = true;
    fetch(el.getAttribute("data-version-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (version) {
        if (!version || !version.panels) { polling = false; return; }
        skew = Date.parse(version.now) - Date.now();
        var changed = Object.keys(version.panels).filter(function (name) {
          return known[name] !== version.panels[name] && !isPanelBusy(name);
        });
        if (!changed.length) { polling = false; return; }
        var url = el.getAttribute("data-panels-url") + "?" + changed.map(function (n) { return "panel=" + n; }).join("&") +
          (changed.indexOf("timeline") >= 0 ? timelineParams() : "");
        skipped = {};
        pollSwapping = true;
        return window.htmx.ajax("GET", url, {source: el, swap: "none"}).then(function () {
          pollSwapping = false;
          remember(version.panels, changed.filter(function (name) { return !skipped[name]; }));
          polling = false;
        });
      })
      .catch(function () { pollSwapping = false; polling = false; });
  }

  /* An action's in-place answer carries the fingerprints its panels were read at: no need to fetch them again
     (a poll records the fingerprints it fetched for itself, above). */
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var header = xhr && xhr.getResponseHeader && xhr.getResponseHeader("X-Room-Fingerprints");
    if (header && known && !pollSwapping) {
      var fingerprints = JSON.parse(header);
      remember(fingerprints, Object.keys(fingerprints).filter(function (name) { return !skipped[name]; }));
    }
  });

  /* A refused deadline action has its own page with the reasons: post the form plainly to land there. */
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-plain-on-refusal]")) { form.submit(); }
  });

  /* Correct and pin (in the timeline's rows) answer in place too, through the same out-of-band panels. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!window.htmx || !room() || form.hasAttribute("hx-post") || !form.closest("#timeline")) { return; }
    if (!/\/events\/\d+\/(correct|pin)\/$/.test(new URL(form.action, location.href).pathname)) { return; }
    event.preventDefault();
    window.htmx.ajax("POST", form.action, {source: form, swap: "none"});
  });

  /* Title, sound and notification when the next deadline is under 5 minutes away or one was breached. */
  var baseTitle = null;
  var alerted = {};
  var lastBreached = null;
  var audio = null;

  function alertsOn() {
    try { return window.localStorage.getItem("golden-hours-alerts") === "on"; } catch (e) { return false; }
  }

  function showAlertsButton() {
    var button = document.getElementById("room-alerts");
    if (!button) { return; }
    button.hidden = false;
    var on = alertsOn();
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = button.getAttribute(on ? "data-label-on" : "data-label-off");
  }

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.25].forEach(function (at) {
        var tone = audio.createOscillator(), gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.2, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.2);
        tone.connect(gain); gain.connect(audio.destination);
        tone.start(audio.currentTime + at); tone.stop(audio.currentTime + at + 0.2);
      });
    } catch (e) { /* no audio device: the title and the notification still say it */ }
  }

  function raise(key, message) {
    if (alerted[key]) { return; }
    alerted[key] = true;
    if (!alertsOn()) { return; }
    beep();
    if (window.Notification && Notification.permission === "granted") {
      new Notification(message, {body: baseTitle || document.title, tag: "golden-hours-" + key});
    }
  }

  function roomAttention(now) {
    var el = room();
    var bar = document.getElementById("room-bar-live");
    if (!el || !bar) { return; }
    if (baseTitle === null) { baseTitle = document.title; }
    var breached = parseInt(bar.getAttribute("data-breached") || "0", 10);
    var due = bar.querySelector("[data-due]");
    var left = due ? (Date.parse(due.getAttribute("data-due")) - now) / 1000 : null;
    var prefix = "";
    if (breached > 0) {
      prefix = el.getAttribute("data-title-breached");
    } else if (left !== null && left < 0) {
      prefix = el.getAttribute("data-title-overdue");
    } else if (left !== null && left < 3600) {
      prefix = countdownLabel(left);
    }
    var title = prefix ? prefix + " · " + baseTitle : baseTitle;
    if (document.title !== title) { document.title = title; }
    if (lastBreached !== null && breached > lastBreached) {
      raise("breached-" + breached, el.getAttribute("data-notify-breached"));
    }
    lastBreached = breached;
    if (left !== null && left <= 300) {
      raise("soon-" + bar.getAttribute("data-next"), el.getAttribute("data-notify-soon"));
    }
  }

  document.addEventListener("click", function (event) {
    if (!event.target.matches("#room-alerts")) { return; }
    var on = !alertsOn();
    try { window.localStorage.setItem("golden-hours-alerts", on ? "on" : "off"); } catch (e) { /* private mode */ }
    if (on) {
      beep();  // created inside the click: browsers only let a page make sound after a gesture
      if (window.Notification && Notification.permission === "default") { Notification.requestPermission(); }
    }
    showAlertsButton();
  });

  function startRoom() {
    var el = room();
    if (!el) { return; }
    try { known = JSON.parse(el.getAttribute("data-fingerprints") || "{}") || {}; } catch (e) { known = {}; }
    showAlertsButton();
    window.setInterval(poll, POLL_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startRoom();
    syncClock(document);
    tick();
    document.querySelectorAll("textarea[data-counts]").forEach(countCharacters);
    watchReports();
    window.setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSettle", function (event) { syncClock(event.target); tick(); });
})();
