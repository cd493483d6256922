// herbot on any web site: <script src="https://bot.example/chat/embed.js"
// data-herbot-url="https://bot.example"></script> draws a launcher button that opens herbot's
// own chat page (/chat/) in a panel. The chat runs in an iframe on herbot's origin; the launcher
// lives in a shadow root styled from the inside (a constructed style sheet, which a page's CSP
// leaves alone), so the page's styles, scripts, focus and scroll stay as they were. The page's
// origin must be allowed with `herbot serve --cors`, or herbot refuses to be framed there.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || document.querySelector("[data-herbot-embed]")) return; // one launcher per page

  var base = herbotUrl(script);
  if (!base) {
    console.warn("herbot: data-herbot-url must be an http(s) address like https://bot.example");
    return;
  }
  var chatUrl = base + "/chat/";
  var chatOrigin = new URL(chatUrl).origin;

  /** herbot's address: data-herbot-url, else (left out or blank) where this script came from (…/chat/embed.js). */
  function herbotUrl(tag) {
    try {
      var given = (tag.getAttribute("data-herbot-url") || "").trim();
      var url = new URL(given || new URL("..", tag.src).href, document.baseURI);
      if (url.protocol !== "https:" && url.protocol !== "http:") return null;
      return url.origin + url.pathname.replace(/\/+$/, "");
    } catch (error) {
      return null;
    }
  }

  var CSS = [
    ":host { all: initial; }",
    ".launcher, .panel { position: fixed; z-index: 2147483000; right: 1rem; box-sizing: border-box;",
    "  font: 600 1rem/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }",
    ".launcher { bottom: 1rem; display: flex; align-items: center; gap: 0.5rem; padding: 0.7rem 1.1rem;",
    "  border: none; border-radius: 2rem; background: #a9442e; color: #fff7f0; cursor: pointer;",
    "  box-shadow: 0 0.3rem 1rem rgba(59, 42, 38, 0.3); }",
    ".launcher:hover { background: #8f3a27; }",
    ".launcher svg { width: 1.3rem; height: 1.3rem; fill: currentColor; }",
    ".panel { bottom: 4.6rem; width: min(25rem, calc(100vw - 2rem)); height: min(40rem, calc(100vh - 6rem));",
    "  display: flex; flex-direction: column; overflow: hidden; border-radius: 1rem; background: #fffaf5;",
    "  box-shadow: 0 0.5rem 2.5rem rgba(59, 42, 38, 0.35); animation: herbot-open 0.18s ease-out; }",
    ".panel[hidden] { display: none; }",
    ".bar { display: flex; justify-content: flex-end; padding: 0.25rem; background: #f3e3d6; }",
    ".close { display: flex; padding: 0.3rem; border: none; border-radius: 0.5rem; background: transparent;",
    "  color: #3b2a26; cursor: pointer; }",
    ".close:hover { background: #ecd9ca; }",
    ".close svg { width: 1.2rem; height: 1.2rem; fill: currentColor; }",
    "iframe { flex: 1; width: 100%; border: 0; background: #fffaf5; }",
    ":focus-visible { outline: 3px solid #1f5fbf; outline-offset: 2px; }",
    "@keyframes herbot-open { from { opacity: 0; transform: translateY(0.75rem); } }",
    "@media (max-width: 30rem) { .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; border-radius: 0; } }",
    "@media (prefers-reduced-motion: reduce) { .panel { animation: none; } }",
  ].join("\n");

  // Material Icons' chat_bubble and close (Apache License 2.0).
  var CHAT_ICON = "M20 2H4c-1.1 0-2 .9-2 2v18l4-4h14c1.1 0 2-.9 2-2V4c0-1.1-.9-2-2-2z";
  var CLOSE_ICON = "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 " +
    "17.59 13.41 12z";

  function icon(path) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }

  function button(className, content) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = className;
    content.forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function styled(root) {
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else { // older browsers: a <style> in the shadow root (a page's strict style-src may refuse it)
      var style = document.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
  }

  function start() {
    var host = document.createElement("div");
    host.setAttribute("data-herbot-embed", "");
    var root = host.attachShadow({ mode: "open" });
    styled(root);

    var label = document.createElement("span");
    label.textContent = "Ask herbot";
    var launcher = button("launcher", [icon(CHAT_ICON), label]);
    launcher.title = "Chat with herbot about the film Her";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "herbot-panel");

    var panel = document.createElement("div");
    panel.className = "panel";
    panel.id = "herbot-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "herbot: a chat about the film Her");
    var close = button("close", [icon(CLOSE_ICON)]);
    close.setAttribute("aria-label", "Close the herbot chat");
    close.title = "Close (Esc)";
    var bar = document.createElement("div");
    bar.className = "bar";
    bar.appendChild(close);
    var frame = document.createElement("iframe");
    frame.title = "herbot chat";
    panel.appendChild(bar);
    panel.appendChild(frame);

    function open() {
      if (!frame.getAttribute("src")) frame.src = chatUrl; // nothing of herbot loads until it is wanted
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      frame.focus({ preventScroll: true }); // the chat page then puts the focus in its message box
    }

    function shut() {
      if (panel.hidden) return;
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus({ preventScroll: true });
    }

    launcher.addEventListener("click", function () {
      if (panel.hidden) open(); else shut();
    });
    close.addEventListener("click", shut);
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape") shut();
    });
    // Escape pressed inside the chat reaches its own document; the chat page says so.
    window.addEventListener("message", function (event) {
      if (event.source === frame.contentWindow && event.origin === chatOrigin &&
          event.data && event.data.herbot === "close") shut();
    });

    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(host);
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
