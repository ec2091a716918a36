// The session-timeout warning (UI-CONVENTIONS: warn before a session
// times out and let the person extend it). Without JavaScript the footer
// shows when the session ends and its button extends it; with it, a
// warning appears five minutes ahead and the button extends the session
// without leaving the page.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var left = parseInt(box.getAttribute("data-left"), 10);
  if (isNaN(left)) { return; }
  var deadline = Date.now() + left * 1000;
  var warnAt = 5 * 60 * 1000;

  function hhmm(t) {
    var d = new Date(t);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function tick() {
    var rest = deadline - Date.now();
    if (rest <= 0) {
      box.hidden = false;
      box.querySelector("p").textContent = box.getAttribute("data-expired");
      return;
    }
    box.hidden = rest > warnAt;
  }
  function extended(seconds) {
    deadline = Date.now() + seconds * 1000;
    var ends = document.querySelectorAll(".session-end");
    for (var i = 0; i < ends.length; i++) { ends[i].textContent = hhmm(deadline); }
    box.hidden = true;
  }
  var forms = document.querySelectorAll("form.session-extend");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (ev) {
      if (!window.fetch) { return; }
      ev.preventDefault();
      fetch("/session/extend", { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (j) { extended(j.left); })
        .catch(function () { window.location.reload(); });
    });
  }
  tick();
  setInterval(tick, 10000);
})();
