/* Rapport's small script: @-mention autocomplete, the capture box's "Full form" link, and
 * clearing the capture box after a successful log. No inline handlers anywhere, so pages run
 * under a strict Content-Security-Policy. Everything here is an enhancement: without it the
 * forms still post and the links still go somewhere useful. */
(function () {
  "use strict";

  var MAX_WORDS = 5; // the capture parser reads at most five words as one name

  /* The "@..." being typed just before the caret, or null. */
  function mentionAt(input) {
    var caret = input.selectionStart;
    if (caret === null || caret !== input.selectionEnd) return null;
    var before = input.value.slice(0, caret);
    var at = before.lastIndexOf("@");
    if (at < 0 || (at > 0 && !/\s/.test(before.charAt(at - 1)))) return null;
    var query = before.slice(at + 1);
    if (/^["“{]/.test(query)) query = query.slice(1);
    if (!query || /^\s/.test(query) || /[\n"”}]/.test(query)) return null;
    if (query.split(/\s+/).length > MAX_WORDS) return null;
    return { start: at, end: caret, query: query };
  }

  function Autocomplete(input) {
    this.input = input;
    this.url = input.getAttribute("data-autocomplete-url");
    this.list = document.createElement("ul");
    this.list.id = (input.id || "mention") + "-suggestions";
    this.list.className = "suggestions";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "People");
    this.list.hidden = true;
    input.insertAdjacentElement("afterend", this.list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    this.items = [];
    this.active = -1;
    this.seq = 0;
    this.timer = null;
    this.mention = null;
    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKey.bind(this));
    input.addEventListener("blur", this.close.bind(this));
    this.list.addEventListener("pointerdown", function (e) { e.preventDefault(); });
    this.list.addEventListener("click", this.onClick.bind(this));
  }

  Autocomplete.prototype.onInput = function () {
    var self = this;
    clearTimeout(this.timer);
    this.mention = mentionAt(this.input);
    if (!this.mention) { this.close(); return; }
    this.timer = setTimeout(function () { self.fetch(self.mention.query); }, 120);
  };

  Autocomplete.prototype.fetch = function (query) {
    var self = this;
    var seq = ++this.seq;
    fetch(this.url + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (people) { if (seq === self.seq) self.show(people); })
      .catch(function () { self.close(); });
  };

  Autocomplete.prototype.show = function (people) {
    this.items = people;
    this.list.textContent = "";
    if (!people.length || !this.mention) { this.close(); return; }
    var self = this;
    people.forEach(function (person, i) {
      var li = document.createElement("li");
      li.id = self.list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("data-index", String(i));
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = person.name;
      li.appendChild(name);
      if (person.email) {
        var email = document.createElement("span");
        email.className = "meta";
        email.textContent = person.email;
        li.appendChild(email);
      }
      self.list.appendChild(li);
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight(0);
  };

  Autocomplete.prototype.highlight = function (i) {
    var options = this.list.children;
    if (!options.length) return;
    this.active = (i + options.length) % options.length;
    for (var k = 0; k < options.length; k++) {
      options[k].setAttribute("aria-selected", k === this.active ? "true" : "false");
    }
    this.input.setAttribute("aria-activedescendant", options[this.active].id);
    options[this.active].scrollIntoView({ block: "nearest" });
  };

  Autocomplete.prototype.close = function () {
    this.list.hidden = true;
    this.list.textContent = "";
    this.items = [];
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Autocomplete.prototype.isOpen = function () { return !this.list.hidden && this.items.length; };

  Autocomplete.prototype.onKey = function (e) {
    if (!this.isOpen()) return;
    if (e.key === "ArrowDown") { e.preventDefault(); this.highlight(this.active + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); this.highlight(this.active - 1); }
    else if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); this.choose(this.active); }
    else if (e.key === "Escape") { e.preventDefault(); this.close(); }
  };

  Autocomplete.prototype.onClick = function (e) {
    var li = e.target.closest("[role=option]");
    if (li) this.choose(Number(li.getAttribute("data-index")));
  };

  /* Replace the "@..." being typed with the person's mention and a space. */
  Autocomplete.prototype.choose = function (i) {
    var person = this.items[i];
    var m = mentionAt(this.input) || this.mention;
    if (!person || !m) { this.close(); return; }
    var value = this.input.value;
    var after = value.slice(m.end).replace(/^\S*/, "").replace(/^ /, "");
    var text = person.mention + " ";
    this.input.value = value.slice(0, m.start) + text + after;
    var caret = m.start + text.length;
    this.input.setSelectionRange(caret, caret);
    this.close();
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
    syncFullFormLink();
  };

  /* "Full form" opens the full form pre-filled with whatever is in the capture box. */
  function syncFullFormLink() {
    var input = document.getElementById("capture-line");
    var link = document.getElementById("capture-full-form");
    if (!input || !link) return;
    var base = link.getAttribute("data-full-form");
    link.href = input.value.trim() ? base + "?line=" + encodeURIComponent(input.value) : base;
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-autocomplete][data-autocomplete-url]");
    for (var i = 0; i < inputs.length; i++) new Autocomplete(inputs[i]);
    var capture = document.getElementById("capture-line");
    if (capture) {
      capture.addEventListener("input", syncFullFormLink);
      syncFullFormLink();
      /* Arriving with the box pre-filled ("Log contact" on the Today page): type after it. */
      if (capture.hasAttribute("autofocus") && capture.value) {
        capture.focus();
        capture.setSelectionRange(capture.value.length, capture.value.length);
      }
    }
  }

  /* After a successful capture the box is emptied for the next one; on a problem the line
   * stays so it can be corrected. */
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail && e.detail.target;
    if (!target || target.id !== "capture-result") return;
    var input = document.getElementById("capture-line");
    if (input && target.querySelector("[data-capture-saved]")) {
      input.value = "";
      syncFullFormLink();
      input.focus();
    }
  });

  /* A failure the server did not explain (it crashed, or the phone lost its signal) is still
   * said out loud; the line stays in the box to try again. */
  function captureFailed(e) {
    var target = e.detail && e.detail.target;
    if (!target || target.id !== "capture-result") return;
    var xhr = e.detail.xhr;
    var p = document.createElement("p");
    p.className = "result error";
    p.textContent = xhr && xhr.status
      ? "That was not logged: the server answered " + xhr.status + ". Your line is still in the box."
      : "That was not logged: no connection. Your line is still in the box; try again.";
    target.textContent = "";
    target.appendChild(p);
  }
  document.addEventListener("htmx:responseError", captureFailed);
  document.addEventListener("htmx:sendError", captureFailed);

  /* Accessibility: announcements, focus after partial updates, the capture shortcut, focus
   * kept clear of the sticky capture bar, and wide tables reachable by keyboard. */

  /* Say a partial update's news in the page's one stable live region (#announcer): a region
   * swapped in with its text is not announced reliably, a stable one whose text changes is.
   * Elements marked data-announce carry the news; those present at load are old news. */
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 100);
  }

  function markAnnounced(root) {
    var old = root.querySelectorAll("[data-announce]");
    for (var i = 0; i < old.length; i++) old[i].setAttribute("data-announced", "");
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected || active.disabled;
  }

  function placeFocus(el) {
    if (!el.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus();
  }

  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.target;
    if (target && target.id === "capture-result") return; // a stable live region itself
    var fresh = document.querySelectorAll("[data-announce]:not([data-announced])");
    var news = fresh.length ? fresh[0] : target && target.getAttribute && target.getAttribute("role") === "status" ? target : null;
    if (news) announce(news.textContent.replace(/\s+/g, " ").trim());
    markAnnounced(document);
    /* The control that was used went away with the update (a snooze or a review decision):
     * put focus on what took its place, so the next Tab goes on from there. */
    if (focusLost() && target && target.isConnected && target !== document.body) {
      placeFocus(fresh.length && target.contains(fresh[0]) ? fresh[0] : target);
    }
  });

  /* After a capture, focus goes back to the box: emptied after a log, or still holding the
   * line after a refusal, which the box then names as its description. */
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!e.target || e.target.id !== "capture-result") return;
    var input = document.getElementById("capture-line");
    if (!input) return;
    var error = e.target.querySelector(".result.error");
    if (error && !error.id) error.id = "capture-problem";
    input.setAttribute("aria-describedby", error ? error.id + " capture-help" : "capture-help");
    if (error) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (focusLost() || document.activeElement === document.getElementById("capture-submit")) {
      input.focus();
    }
  });

  function focusCapture() {
    var input = document.getElementById("capture-line");
    if (!input) return false;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    return true;
  }

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  /* Alt+Shift+C jumps to the capture box from anywhere (a shortcut with modifiers, so it
   * cannot fire while someone types: WCAG 2.1.4). */
  document.addEventListener("keydown", function (e) {
    if (e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === "KeyC") {
      if (typing(e.target) && e.target.id === "capture-line") return;
      if (focusCapture()) e.preventDefault();
    }
  });

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("#skip-to-capture");
    if (link && focusCapture()) e.preventDefault();
  });

  /* The capture bar's height, for scroll-padding: focus and jumps land below it. */
  function measureCaptureBar() {
    var bar = document.querySelector(".capture");
    if (!bar) return;
    var sticky = getComputedStyle(bar).position === "sticky";
    document.documentElement.style.setProperty(
      "--capture-height", sticky ? Math.ceil(bar.getBoundingClientRect().height) + "px" : "0px");
  }

  /* Where scroll-padding is not applied to focus moves, bring a control hidden under the
   * sticky bar back into sight. */
  document.addEventListener("focusin", function (e) {
    var bar = document.querySelector(".capture");
    var el = e.target;
    if (!bar || bar.contains(el) || getComputedStyle(bar).position !== "sticky") return;
    if (el === document.getElementById("main") || !el.matches(":focus-visible")) return; // a click
    var barBottom = bar.getBoundingClientRect().bottom;
    var box = el.getBoundingClientRect();
    if (box.top < barBottom) window.scrollBy(0, box.top - barBottom - 8);
  });

  /* A table wider than the screen scrolls inside its .table-wrap; make that region reachable
   * and named, so it scrolls from the keyboard too. */
  function tablesReachable() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        var table = wrap.querySelector("table");
        var caption = table && table.querySelector("caption");
        var section = wrap.closest("section[aria-labelledby]");
        var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
        var name = (caption || heading) ? (caption || heading).textContent.trim() : "Table";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", name + " (scrolls sideways)");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    }
  }

  function layoutChanged() {
    measureCaptureBar();
    tablesReachable();
  }

  function initAccessibility() {
    markAnnounced(document);
    layoutChanged();
    window.addEventListener("resize", layoutChanged);
    document.addEventListener("toggle", layoutChanged, true); // a <details> opened
    document.addEventListener("htmx:afterSettle", layoutChanged);
  }

  function start() {
    init();
    initAccessibility();
    initPages();
  }
  /* ---- Form errors and wide tables (issue 18, the first week on the pages) ---- */

  /* A form that came back with errors: open the section it sits in, bring its first problem
   * into view and put the cursor there, so a phone does not land at the top of a long page
   * with nothing said. A field's error focuses the field; a form-wide one, its message. */
  function focusFirstError(root) {
    var first = root.querySelector(
      ".field.invalid input:not([type=hidden]), .field.invalid select, .field.invalid textarea, .form-errors"
    );
    if (!first) return false;
    for (var d = first.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
    if (first.classList.contains("form-errors") && !first.hasAttribute("tabindex")) {
      first.setAttribute("tabindex", "-1");
    }
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
    return true;
  }

  /* A table that scrolls sideways says so while it hides columns: its hint shows, and the
   * container is marked for the edge shadow until scrolled to the end. */
  function watchScroller(box) {
    var hint = document.getElementById(box.getAttribute("aria-describedby") || "");
    function update() {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("overflows", overflows);
      box.classList.toggle("at-end", overflows && box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
      if (hint) hint.hidden = !overflows;
    }
    box.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }

  /* "Select all on this page" for a list of boxes (the review queue): shown only with
   * script, since without it there is nothing it could do. */
  function initSelectAll(all) {
    var name = all.getAttribute("data-select-all");
    var form = all.closest("form");
    var label = document.querySelector("label[for='" + all.id + "']");
    function boxes() {
      return document.querySelectorAll("input[type=checkbox][name='" + name + "'][form='" + form.id + "']");
    }
    all.hidden = false;
    if (label) label.hidden = false;
    all.addEventListener("change", function () {
      var list = boxes();
      for (var i = 0; i < list.length; i++) list[i].checked = all.checked;
    });
  }

  function initPages() {
    var alls = document.querySelectorAll("input[data-select-all]");
    for (var k = 0; k < alls.length; k++) initSelectAll(alls[k]);
    var boxes = document.querySelectorAll(".scroll-x");
    for (var i = 0; i < boxes.length; i++) watchScroller(boxes[i]);
    var main = document.getElementById("main");
    if (main) focusFirstError(main);
  }

  /* A form swapped in by htmx with errors (a 422 answer) gets the same treatment. */
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail && e.detail.target;
    if (!target || target.id === "capture-result") return;
    var xhr = e.detail.xhr;
    if (xhr && xhr.status === 422) focusFirstError(target.isConnected ? target : document);
  });

  /* Once, when the page is read: the autocomplete, the accessibility aids, the pages' own. */
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
