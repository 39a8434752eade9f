// fallwerk workplace: a little convenience on top of plain forms. Everything works without it.
(function () {
  "use strict";
  // Move focus to an error summary or a confirmation so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-focus]");
    if (target) { target.focus(); }
  });
  // Inbox: j / k move between cases (not while typing in a field).
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (e.key !== "j" && e.key !== "k") { return; }
    var links = Array.prototype.slice.call(document.querySelectorAll("a.case-link"));
    if (!links.length) { return; }
    var i = links.indexOf(document.activeElement);
    var next = e.key === "j" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
    if (i === -1) { next = 0; }
    links[next].focus();
    e.preventDefault();
  });
})();
