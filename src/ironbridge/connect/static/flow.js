/* ironbridge connect flow: the page's own script (integrators load connect.js, not this).
 *
 * - filters the catalog as the customer types;
 * - posts the connect form with `Accept: text/event-stream` and shows each check stage live from
 *   the server-sent events in the response body;
 * - on success hands the public token to the page that opened the flow, by postMessage to the
 *   origin the flow was opened with (never "*"), or follows the integrator's redirect link.
 * Without JavaScript every step still works as plain links and form posts.
 */
(function () {
  "use strict";

  var origin = document.body.getAttribute("data-origin") || "";

  function opener() {
    if (window.parent && window.parent !== window) return window.parent;
    if (window.opener && !window.opener.closed) return window.opener;
    return null;
  }

  function embedded() {
    return Boolean(origin && opener());
  }

  function tell(message) {
    var target = opener();
    if (target && origin) target.postMessage(message, origin);
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function focus(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
  }

  /* -- closing the flow when it was opened in a pop-up --------------------------------------- */

  // In an iframe the host page owns the dialog and its close button (connect.js draws one);
  // in a pop-up window the flow offers its own, which tells the opener and closes the window.
  function setupExit() {
    var exit = byId("flow-exit");
    var popup = window.parent === window && window.opener && !window.opener.closed;
    if (!exit || !popup || !origin) return;
    exit.hidden = false;
    exit.addEventListener("click", function () {
      tell({ type: "ironbridge:exit" });
      window.close();
    });
  }

  /* -- Escape closes the dialog, also while focus is inside the flow ------------------------ */

  // Key presses inside the iframe never reach the host page, so connect.js cannot see them:
  // the flow asks its host (only the origin it was opened with) to close, as the × would.
  function setupEscape() {
    if (!embedded() || window.parent === window) return;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
      tell({ type: "ironbridge:exit" });
    });
  }

  /* -- catalog ------------------------------------------------------------------------------- */

  function setupCatalog() {
    var input = byId("system-search");
    var form = byId("system-search-form");
    if (!input || !form) return;
    var items = Array.prototype.slice.call(document.querySelectorAll("#system-list > li"));
    var status = byId("search-status");
    var empty = byId("no-match");
    var submit = byId("system-search-submit");
    var announce = null;
    if (submit) submit.hidden = true;

    function apply() {
      var query = input.value.trim();
      var needle = query.toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var match = !needle || item.getAttribute("data-search").indexOf(needle) !== -1;
        item.hidden = !match;
        if (match) shown += 1;
      });
      empty.hidden = shown !== 0;
      // Announce once typing pauses, not on every key.
      window.clearTimeout(announce);
      announce = window.setTimeout(function () {
        status.textContent = needle
          ? shown + (shown === 1 ? " system matches" : " systems match") + " “" + query + "”."
          : items.length + " systems available.";
      }, 300);
    }

    input.addEventListener("input", apply);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var visible = items.filter(function (item) { return !item.hidden; });
      if (visible.length === 1) visible[0].querySelector("a").click();
    });
  }

  /* -- sign-in choices: show only the fields of the chosen way --------------------------------- */

  // Without this every field shows, and the server keeps only those of the chosen way.
  function setupChoices() {
    var dependents = document.querySelectorAll("[data-applies-when]");
    if (!dependents.length) return;

    function apply() {
      Array.prototype.forEach.call(dependents, function (field) {
        var select = byId("f-" + field.getAttribute("data-applies-when"));
        var shown = !select || select.value === field.getAttribute("data-applies-value");
        field.hidden = !shown;
        // Disabled inputs are not submitted, so a hidden choice's values never leave the page.
        // A required field of the chosen way is required in the browser too.
        var required = shown && field.hasAttribute("data-required");
        Array.prototype.forEach.call(field.querySelectorAll("input"), function (input) {
          input.disabled = !shown;
          input.required = required;
          if (required) input.setAttribute("aria-required", "true");
          else input.removeAttribute("aria-required");
        });
      });
    }

    Array.prototype.forEach.call(document.querySelectorAll("select"), function (select) {
      select.addEventListener("change", apply);
    });
    apply();
  }

  /* -- connect form and live progress -------------------------------------------------------- */

  function setupForm() {
    var form = byId("connect-form");
    if (!form || !window.fetch || !window.TextDecoder || !window.ReadableStream) return;
    var button = byId("connect-submit");
    var progress = byId("progress");
    var busy = false;

    function setBusy(value) {
      busy = value;
      button.disabled = value;
      form.setAttribute("aria-busy", value ? "true" : "false");
      if (value) button.textContent = "Connecting…";
      Array.prototype.forEach.call(form.querySelectorAll("input"), function (input) {
        input.readOnly = value;
      });
    }

    function setStage(data) {
      var item = document.querySelector('.stage[data-stage="' + data.stage + '"]');
      if (!item) return;
      item.setAttribute("data-state", data.state);
      item.querySelector(".stage-title").textContent = data.title;
      item.querySelector(".stage-state").textContent = data.state_label;
      item.querySelector(".stage-message").textContent = data.message || "";
    }

    function showAlert(title, message, fix) {
      byId("alert-title").textContent = title;
      byId("alert-message").textContent = message || "";
      byId("alert-message").hidden = !message;
      byId("alert-fix-text").textContent = fix || "";
      byId("alert-fix").hidden = !fix;
      byId("form-alert").hidden = false;
    }

    // A field's control: a text input, or the select of a sign-in choice.
    function control(field) {
      return field.querySelector("input, select");
    }

    function clearErrors() {
      byId("form-alert").hidden = true;
      Array.prototype.forEach.call(form.querySelectorAll(".field"), function (field) {
        field.classList.remove("has-error");
        control(field).removeAttribute("aria-invalid");
        var error = field.querySelector(".field-error");
        error.textContent = "";
        error.hidden = true;
      });
    }

    function showFieldErrors(fields) {
      var first = null;
      var unmatched = [];
      Object.keys(fields).forEach(function (name) {
        var field = form.querySelector('.field[data-field="' + name + '"]');
        if (!field) {
          unmatched.push(fields[name]);
          return;
        }
        field.classList.add("has-error");
        var input = control(field);
        input.setAttribute("aria-invalid", "true");
        var error = field.querySelector(".field-error");
        error.textContent = fields[name];
        error.hidden = false;
        if (!first) first = input;
      });
      showAlert("Check the highlighted fields", unmatched.join(" "), "");
      focus(first || byId("form-alert"));
    }

    function replaceMain(html) {
      var main = byId("main");
      main.innerHTML = html;
      focus(byId("result-title") || main);
    }

    // Each handler returns true when the event ends the attempt.
    var handlers = {
      stage: function (data) {
        setStage(data);
        return false;
      },
      failed: function (data) {
        showAlert(data.title, data.message, data.fix);
        focus(byId("form-alert"));
        return true;
      },
      invalid: function (data) {
        progress.hidden = true;
        showFieldErrors(data.fields || {});
        return true;
      },
      success: function (data) {
        replaceMain(data.html);
        handOver();
        return true;
      },
      fatal: function (data) {
        replaceMain(data.html);
        return true;
      }
    };

    function parse(block) {
      var name = "message";
      var data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (!data.length) return null;
      return { name: name, data: JSON.parse(data.join("\n")) };
    }

    async function run() {
      setBusy(true);
      clearErrors();
      Array.prototype.forEach.call(document.querySelectorAll(".stage"), function (item) {
        item.setAttribute("data-state", "pending");
        item.querySelector(".stage-state").textContent = "Not started";
        item.querySelector(".stage-message").textContent = "";
      });
      progress.hidden = false;
      var ended = false;
      var replaced = false;
      try {
        var response = await fetch(form.action, {
          method: "POST",
          body: new URLSearchParams(new FormData(form)),
          headers: { Accept: "text/event-stream" },
          credentials: "same-origin",
          cache: "no-store"
        });
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        for (;;) {
          var chunk = await reader.read();
          if (chunk.done) break;
          buffer += decoder.decode(chunk.value, { stream: true });
          var end = buffer.indexOf("\n\n");
          while (end !== -1) {
            var event = parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (event && handlers[event.name]) {
              ended = handlers[event.name](event.data) || ended;
              replaced = replaced || event.name === "success" || event.name === "fatal";
            }
            end = buffer.indexOf("\n\n");
          }
        }
      } catch (error) {
        ended = false;
      }
      if (replaced) return;
      if (!ended) {
        showAlert(
          "The check was interrupted",
          "The connection to the server was lost before the check finished.",
          "Check your internet connection and try again. Nothing was saved."
        );
        focus(byId("form-alert"));
      }
      setBusy(false);
      button.textContent = "Try again";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!busy) run();
    });
  }

  /* -- success: hand the public token over ---------------------------------------------------- */

  function handOver() {
    var result = document.querySelector("[data-public-token]");
    if (!result) return;
    var token = result.getAttribute("data-public-token");
    if (embedded()) {
      tell({ type: "ironbridge:connected", public_token: token });
      var hint = byId("close-hint");
      if (hint) hint.textContent = "Done. Taking you back…";
      return;
    }
    var next = byId("continue-link");
    if (next) {
      window.setTimeout(function () { window.location.assign(next.href); }, 1500);
    }
  }

  function start() {
    setupExit();
    setupEscape();
    setupCatalog();
    setupChoices();
    setupForm();
    handOver();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
