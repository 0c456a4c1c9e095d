/* ironbridge connect.js: open the connect flow in a modal iframe from an integrator's page.
 *
 *   <script src="https://ironbridge.example.com/connect/static/connect.js"></script>
 *   const publicToken = await IronbridgeConnect.open({
 *     url: connectUrlFromYourBackend,          // POST /v1/link-tokens -> connect_url
 *     onSuccess: (publicToken) => { ... },     // optional
 *     onExit: () => { ... },                   // optional: the customer closed the flow
 *   });
 *   // publicToken is null when the customer closed the flow; otherwise send it to your backend,
 *   // which exchanges it (POST /v1/link-tokens/exchange) for the connection token.
 *
 * Messages are accepted only from the flow's own iframe and origin; the flow posts only to the
 * origin of this page, which connect.js passes to it. Escape closes the dialog, also when focus
 * is inside the flow (the flow posts `ironbridge:exit`). No dependencies, no globals but one.
 */
(function (global) {
  "use strict";

  var open = null;

  function style(element, rules) {
    Object.keys(rules).forEach(function (name) { element.style[name] = rules[name]; });
    return element;
  }

  function openFlow(options) {
    if (!options || !options.url) throw new TypeError("IronbridgeConnect.open needs { url }");
    if (open) open.close(null);

    var url = new URL(options.url, global.location.href);
    var flowOrigin = url.origin;
    url.searchParams.set("origin", global.location.origin);
    var closeDelay = typeof options.closeDelay === "number" ? options.closeDelay : 1200;
    var previousFocus = document.activeElement;
    var previousOverflow = document.body.style.overflow;

    var overlay = style(document.createElement("div"), {
      position: "fixed", inset: "0", zIndex: "2147483000", background: "rgba(12, 18, 28, 0.55)",
      display: "flex", alignItems: "center", justifyContent: "center", padding: "0"
    });
    overlay.setAttribute("data-ironbridge-connect", "");

    var dialog = style(document.createElement("div"), {
      position: "relative", width: "100%", maxWidth: "480px", height: "100%", maxHeight: "720px",
      background: "#fff", borderRadius: "12px", overflow: "hidden",
      boxShadow: "0 20px 60px rgba(0, 0, 0, 0.35)"
    });
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", options.title || "Connect your system");

    var closeButton = style(document.createElement("button"), {
      position: "absolute", top: "8px", right: "8px", width: "36px", height: "36px",
      border: "0", borderRadius: "18px", background: "rgba(0, 0, 0, 0.06)", cursor: "pointer",
      padding: "0", display: "flex", alignItems: "center", justifyContent: "center",
      color: "#1c2430"
    });
    closeButton.type = "button";
    closeButton.setAttribute("aria-label", "Close");
    // Drawn, not a "×" character: a glyph sits where each font's metrics put it, off-centre.
    var svg = "http://www.w3.org/2000/svg";
    var cross = document.createElementNS(svg, "svg");
    cross.setAttribute("width", "14");
    cross.setAttribute("height", "14");
    cross.setAttribute("viewBox", "0 0 14 14");
    cross.setAttribute("aria-hidden", "true");
    cross.setAttribute("focusable", "false");
    var path = document.createElementNS(svg, "path");
    path.setAttribute("d", "M1 1L13 13M13 1L1 13");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    cross.appendChild(path);
    closeButton.appendChild(cross);

    var frame = style(document.createElement("iframe"), {
      width: "100%", height: "100%", border: "0", display: "block"
    });
    frame.title = options.title || "Connect your system";
    frame.src = url.toString();
    frame.setAttribute("allow", "clipboard-write");

    dialog.appendChild(frame);
    dialog.appendChild(closeButton);
    overlay.appendChild(dialog);

    // Keep keyboard focus in the dialog: the rest of the page is made inert (unfocusable and
    // hidden from assistive technology) while the flow is open, and restored as it was after.
    var inerted = [];
    function inertPage() {
      Array.prototype.forEach.call(document.body.children, function (element) {
        if (element === overlay || element.inert) return;
        element.inert = true;
        inerted.push(element);
      });
    }
    function restorePage() {
      inerted.forEach(function (element) { element.inert = false; });
      inerted = [];
    }

    return new Promise(function (resolve) {
      var settled = false;

      function finish(publicToken) {
        if (settled) return;
        settled = true;
        global.removeEventListener("message", onMessage);
        document.removeEventListener("keydown", onKey, true);
        overlay.remove();
        restorePage();
        document.body.style.overflow = previousOverflow;
        open = null;
        if (previousFocus && previousFocus.focus) previousFocus.focus();
        resolve(publicToken);
      }

      var connected = null;

      function onMessage(event) {
        // Only the flow in our own iframe, served from the URL's origin, may talk to us.
        if (event.origin !== flowOrigin || event.source !== frame.contentWindow) return;
        var data = event.data;
        if (!data || typeof data !== "object") return;
        if (data.type === "ironbridge:connected" && typeof data.public_token === "string") {
          connected = data.public_token;
          if (typeof options.onSuccess === "function") options.onSuccess(data.public_token, data);
          // Let the customer see "Connected" for a moment before the dialog closes.
          global.setTimeout(function () { finish(data.public_token); }, closeDelay);
        } else if (data.type === "ironbridge:exit") {
          exit();
        }
      }

      function exit() {
        if (settled) return;
        // Closed while "Connected" shows: the connection exists, so hand its token over.
        if (connected) return finish(connected);
        if (typeof options.onExit === "function") options.onExit();
        finish(null);
      }

      function onKey(event) {
        if (event.key === "Escape") {
          exit();
        } else if (event.key === "Tab" && !event.shiftKey && document.activeElement === closeButton) {
          // Past the close button there is nothing else in the dialog: wrap to the flow.
          event.preventDefault();
          frame.focus();
        }
      }

      closeButton.addEventListener("click", exit);
      global.addEventListener("message", onMessage);
      document.addEventListener("keydown", onKey, true);
      document.body.style.overflow = "hidden";
      document.body.appendChild(overlay);
      inertPage();
      frame.focus();
      open = { close: finish };
    });
  }

  global.IronbridgeConnect = { open: openFlow };
})(window);
