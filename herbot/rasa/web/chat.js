// herbot's web chat: Rasa's socket.io channel, a conversation kept across reloads (the
// server takes a session back only with the resume token it gave out with it), and every
// piece of text put on the page with textContent, never as HTML. Answers can be read aloud
// by the browser's own speech synthesis and the conversation saved as Markdown.
(function () {
  "use strict";

  var STORE_KEY = "herbot.chat.v1";
  var SPEAK_KEY = "herbot.chat.speak"; // the speaker toggle outlives "New chat"
  var MAX_ENTRIES = 200;
  var GREETING_PAYLOAD = "/greet"; // the persona's greeting comes from the bot's domain

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var typing = document.getElementById("typing");
  var status = document.getElementById("status");
  var restart = document.getElementById("restart");
  var speakToggle = document.getElementById("speak");
  var saveButton = document.getElementById("save");
  var thumbIcon = document.getElementById("thumb-icon").content.firstElementChild; // in index.html, with the others

  // --- the conversation and the speaker setting, kept in localStorage so that a reload shows them again ---

  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null; // unavailable storage (a browser that refuses it to a framed page): the defaults
    }
  }

  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      // private mode or full storage: the chat still works, it just won't survive a reload
    }
  }

  function load() {
    try {
      var saved = JSON.parse(stored(STORE_KEY));
      if (saved && typeof saved === "object" && Array.isArray(saved.entries)) {
        return {
          sessionId: typeof saved.sessionId === "string" ? saved.sessionId : null,
          resumeToken: typeof saved.resumeToken === "string" ? saved.resumeToken : null,
          entries: saved.entries,
        };
      }
    } catch (error) {
      // unreadable: start a new conversation
    }
    return newConversation();
  }

  function newConversation() {
    return { sessionId: null, resumeToken: null, entries: [] };
  }

  function save() {
    state.entries = state.entries.slice(-MAX_ENTRIES);
    store(STORE_KEY, JSON.stringify(state));
  }

  var state = load();
  var nodes = new Map(); // entry -> its <li>, kept out of what is saved

  // --- building the page: elements and textContent only ---

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function asList(value) {
    return Array.isArray(value) ? value : [];
  }

  function render(entry) {
    var item = element("div", "msg " + (entry.from === "user" ? "user" : "bot"));
    var custom = entry.custom && typeof entry.custom === "object" ? entry.custom : {};
    if (custom.spoiler_warning) item.classList.add("spoiler-warning");

    if (entry.text) {
      var bubble = element("div", "bubble");
      if (custom.spoiler_warning) bubble.appendChild(element("span", "badge", "Spoiler warning"));
      bubble.appendChild(document.createTextNode(String(entry.text)));
      item.appendChild(bubble);
    }

    var quotes = asList(custom.quotes);
    if (quotes.length) {
      var box = element("div", "quotes");
      quotes.forEach(function (quote) {
        if (!quote || typeof quote !== "object") return;
        var figure = element("figure", "quote" + (quote.spoiler ? " spoiler" : ""));
        figure.appendChild(element("blockquote", null, quote.sentence));
        var caption = element("figcaption", null, "— " + (quote.source || "unknown source"));
        if (quote.spoiler) caption.appendChild(element("span", "badge after", "Spoiler"));
        figure.appendChild(caption);
        box.appendChild(figure);
      });
      item.appendChild(box);
    }

    if (custom.rate && typeof custom.rate.up === "string" && typeof custom.rate.down === "string") {
      item.appendChild(ratingButtons(entry, custom.rate));
    }

    var replies = asList(entry.quick_replies || entry.buttons);
    if (replies.length && entry.choicesOpen !== false) {
      var choices = element("div", "choices");
      choices.setAttribute("role", "group");
      choices.setAttribute("aria-label", "Suggested replies");
      replies.forEach(function (reply) {
        if (!reply || typeof reply.payload !== "string") return;
        var button = element("button", null, reply.title || reply.payload);
        button.type = "button";
        button.addEventListener("click", function () {
          send(reply.payload, reply.title || reply.payload);
        });
        choices.appendChild(button);
      });
      item.appendChild(choices);
    }
    nodes.set(entry, item);
    return item;
  }

  function ratingButtons(entry, rate) {
    var group = element("div", "rating");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Was this answer helpful?");
    [["up", "Helpful answer"], ["down", "Unhelpful answer"]].forEach(function (spec) {
      var button = element("button");
      button.appendChild(thumbIcon.cloneNode(true));
      button.type = "button";
      button.title = spec[1];
      button.setAttribute("aria-label", spec[1]);
      button.setAttribute("aria-pressed", entry.rated === spec[0] ? "true" : "false");
      button.disabled = Boolean(entry.rated);
      button.dataset.vote = spec[0];
      button.addEventListener("click", function () {
        if (entry.rated) return;
        entry.rated = spec[0];
        group.querySelectorAll("button").forEach(function (other) {
          other.disabled = true;
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        save();
        emit(rate[spec[0]]);
      });
      group.appendChild(button);
    });
    return group;
  }

  function append(entry, remember) {
    log.appendChild(render(entry));
    if (remember) {
      state.entries.push(entry);
      save();
    }
    log.scrollTop = log.scrollHeight;
  }

  function closeChoices() {
    state.entries.forEach(function (entry) {
      if (entry.choicesOpen === false) return;
      entry.choicesOpen = false;
      var choices = nodes.has(entry) && nodes.get(entry).querySelector(".choices");
      if (choices) choices.remove();
    });
  }

  function showTyping(on) {
    typing.hidden = !on;
    if (on) log.scrollTop = log.scrollHeight;
  }

  // --- talking to Rasa's socket.io channel ---

  var socket = window.io({ path: "/socket.io", transports: ["websocket", "polling"] });

  function emit(message) {
    socket.emit("user_uttered", { message: message, session_id: state.sessionId });
  }

  function send(message, shown) {
    stopReading();
    closeChoices();
    append({ from: "user", text: shown }, true);
    showTyping(true);
    emit(message);
    input.focus();
  }

  function requestSession() {
    socket.emit("session_request", { session_id: state.sessionId, resume_token: state.resumeToken });
  }

  socket.on("connect", function () {
    status.textContent = "";
    requestSession();
  });

  socket.on("session_confirm", function (sessionId, resumeToken) {
    var fresh = state.sessionId !== sessionId;
    if (fresh && state.entries.length) {
      // The server did not take the old session back (say its secret changed): what the
      // page shows is no longer what the bot remembers, so start over.
      state = newConversation();
      log.replaceChildren();
    }
    state.sessionId = sessionId;
    state.resumeToken = typeof resumeToken === "string" ? resumeToken : null;
    save();
    if (fresh) {
      showTyping(true);
      emit(GREETING_PAYLOAD);
    }
  });

  socket.on("bot_typing", function (data) {
    showTyping(Boolean(data && data.typing));
  });

  socket.on("bot_uttered", function (data) {
    if (!data || typeof data !== "object") return;
    var entry = {
      from: "bot",
      text: typeof data.text === "string" ? data.text : "",
      quick_replies: asList(data.quick_replies || data.buttons),
      custom: data.custom && typeof data.custom === "object" ? data.custom : null,
    };
    append(entry, true);
    readAloud(entry);
    // Focus back to the box after an answer, unless the user is tabbing through the log.
    if (!log.contains(document.activeElement)) input.focus({ preventScroll: true });
  });

  socket.on("disconnect", function () {
    showTyping(false);
    status.textContent = "Connection lost. Reconnecting…";
  });

  socket.on("connect_error", function () {
    status.textContent = "I can't reach herbot right now. Is `herbot serve` still running? Retrying…";
  });

  // --- the composer and the restart button ---

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text, text);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  restart.addEventListener("click", function () {
    state = newConversation();
    save();
    log.replaceChildren();
    requestSession();
    input.focus();
  });

  // --- reading answers aloud with the browser's own voice (nothing leaves the browser) ---

  var speech = window.speechSynthesis && typeof window.SpeechSynthesisUtterance === "function"
    ? window.speechSynthesis : null;
  var speaking = Boolean(speech) && stored(SPEAK_KEY) === "on";

  function showSpeaking() {
    speakToggle.setAttribute("aria-pressed", speaking ? "true" : "false");
  }

  /** What the page shows of an answer, as plain words: its warning, text and quotes with their sources. */
  function spokenText(entry) {
    var custom = entry.custom || {};
    var parts = [];
    if (custom.spoiler_warning) parts.push("Spoiler warning.");
    if (entry.text) parts.push(entry.text);
    asList(custom.quotes).forEach(function (quote) {
      if (quote && quote.sentence) parts.push("From " + (quote.source || "an unknown source") + ": " + quote.sentence);
    });
    return withoutMarkup(parts.join(" "));
  }

  function withoutMarkup(text) {
    return String(text)
      .replace(/<[^>]*>/g, " ")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/[*_`#~|]+/g, " ")
      .replace(/\s+/g, " ")
      .trim();
  }

  function readAloud(entry) {
    var text = speaking && spokenText(entry);
    if (text) speech.speak(new window.SpeechSynthesisUtterance(text)); // after the rest of this turn's answer
  }

  function stopReading() {
    if (speech) speech.cancel();
  }

  if (speech) {
    speakToggle.hidden = false;
    showSpeaking();
    speakToggle.addEventListener("click", function () {
      speaking = !speaking;
      store(SPEAK_KEY, speaking ? "on" : "off");
      showSpeaking();
    });
    document.addEventListener("click", stopReading, true); // any click, this toggle's too, stops the voice
  }

  // --- saving the conversation: the same Markdown as `herbot transcript` (herbot/cli/transcripts.py) ---

  function transcript(entries) {
    var lines = ["# Conversation with herbot", ""];
    entries.forEach(function (entry) {
      if (entry.from === "user") {
        lines.push("**You:** " + (entry.text || ""), "");
        return;
      }
      var custom = entry.custom || {};
      var quotes = asList(custom.quotes);
      var sources = asList(custom.sources);
      lines.push("**herbot:** " + (entry.text || ""), "");
      quotes.forEach(function (quote) {
        quote = quote || {};
        var rating = quote.rating ? ", " + quote.rating : "";
        lines.push("> “" + (quote.sentence || "") + "” — " + (quote.source || "") + rating);
      });
      if (quotes.length) lines.push("");
      if (sources.length) lines.push("Sources: " + sources.join(", "), "");
    });
    return lines.join("\n").replace(/\s+$/, "") + "\n";
  }

  saveButton.addEventListener("click", function () {
    var file = new Blob([transcript(state.entries)], { type: "text/markdown;charset=utf-8" });
    var link = element("a");
    link.href = URL.createObjectURL(file);
    link.download = "herbot-conversation-" + new Date().toISOString().slice(0, 10) + ".md";
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000); // the download has started by then
  });

  // In another site's panel (embed.js), Escape closes the panel: the key reaches this document only.
  if (window.parent !== window) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") window.parent.postMessage({ herbot: "close" }, "*");
    });
  }

  // A reload shows the conversation so far; suggestions stay open only on the last answers.
  state.entries.forEach(function (entry) {
    append(entry, false);
  });
  input.focus();
})();
