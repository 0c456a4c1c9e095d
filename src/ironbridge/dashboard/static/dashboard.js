/* ironbridge dashboard: progressive enhancement only; every action works as a plain form. */
(function () {
  "use strict";

  // After htmx replaced the page, move focus where a page load would put a reader: to the
  // outcome of the action if there is one, else to the main content.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target !== document.body) return;
    var target = document.getElementById("notice-message") || document.getElementById("main");
    if (target) target.focus();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
