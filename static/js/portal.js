// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Strings come from Django's JavaScript catalog (/jsi18n/, loaded before this file);
  // without it they stay in English.
  var gettext = window.gettext || function (text) { return text; };

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // Tell the server this browser's time zone (a `tz` cookie) so dates are shown in
  // it; the server checks the name against its zone database (accounts/timezones.py).
  function rememberTimeZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
    if (document.cookie.split("; ").indexOf("tz=" + zone) !== -1) return;
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax" +
      (window.location.protocol === "https:" ? "; Secure" : "");
  }
  rememberTimeZone();

  // Copy buttons: <button data-copy="#input-id" hidden> (templates/copy_button.html).
  // They do nothing without this script, so the page renders them hidden and
  // they appear here. "Copied" shows on the button and is announced through
  // the status element beside it.
  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      var label = button.textContent;
      var status = button.nextElementSibling && button.nextElementSibling.matches("[data-copy-status]")
        ? button.nextElementSibling : null;
      button.addEventListener("click", function () {
        var field = document.querySelector(button.getAttribute("data-copy"));
        if (!field) return;
        var done = function () {
          var copied = button.getAttribute("data-copied") || gettext("Copied");
          button.textContent = copied;
          if (status) status.textContent = copied;
          setTimeout(function () {
            button.textContent = label;
            if (status) status.textContent = "";
          }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
        } else {
          field.select();
          try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
        }
      });
    });
  }

  function renumberText(element, attribute, number) {
    var value = element.getAttribute(attribute);
    if (value) element.setAttribute(attribute, value.replace(/\d+(\s*)$/, number + "$1"));
  }

  // URL lists: Add and Remove without a round trip to the server.
  function setUpUrlLists() {
    document.querySelectorAll("[data-url-list]").forEach(function (list) {
      var rows = list.querySelector("[data-rows]");
      var addButton = list.querySelector("[data-add-row]");
      // The limit is the form field's (data-max); without one, rows are not capped here.
      var max = parseInt(list.getAttribute("data-max"), 10) || Infinity;

      function renumber() {
        var all = rows.querySelectorAll("[data-row]");
        all.forEach(function (row, index) {
          var number = String(index + 1);
          var input = row.querySelector("input");
          renumberText(input, "aria-label", number);
          var remove = row.querySelector("[data-remove-row]");
          remove.value = String(index);
          // Each Remove button keeps a name of its own ("Remove redirect URL 3").
          renumberText(remove, "aria-label", number);
          remove.querySelectorAll(".visually-hidden").forEach(function (hidden) {
            hidden.textContent = hidden.textContent.replace(/\d+(\s*)$/, number + "$1");
          });
        });
        addButton.disabled = all.length >= max;
      }

      function addRow() {
        var template = rows.querySelector("[data-row]");
        var row = template.cloneNode(true);
        row.querySelector("input").value = "";
        rows.appendChild(row);
        wireRow(row);
        renumber();
        row.querySelector("input").focus();
      }

      function wireRow(row) {
        row.querySelector("[data-remove-row]").addEventListener("click", function (event) {
          event.preventDefault();
          var all = rows.querySelectorAll("[data-row]");
          if (all.length === 1) {
            row.querySelector("input").value = "";
            row.querySelector("input").focus();
            return;
          }
          var next = row.nextElementSibling || row.previousElementSibling;
          row.remove();
          renumber();
          if (next) next.querySelector("input").focus();
        });
        row.querySelector("input").addEventListener("keydown", function (event) {
          // "Enter the address and press Add": Enter in a row adds the next one.
          if (event.key === "Enter") {
            event.preventDefault();
            if (this.value.trim() && !addButton.disabled) addRow();
          }
        });
      }

      rows.querySelectorAll("[data-row]").forEach(wireRow);
      addButton.addEventListener("click", function (event) {
        event.preventDefault();
        var empty = Array.prototype.find.call(rows.querySelectorAll("[data-row] input"), function (input) {
          return !input.value.trim();
        });
        if (empty) empty.focus();
        else addRow();
      });
      renumber();
    });
  }

  // Scopes: ticking Write ticks and locks Read (the server adds Read anyway).
  function setUpScopes() {
    document.querySelectorAll("[data-scope-group]").forEach(function (row) {
      var read = row.querySelector("[data-scope-read]");
      var write = row.querySelector("[data-scope-write]");
      if (!read || !write) return;
      function sync() {
        if (write.checked) read.checked = true;
        read.disabled = write.checked;
        read.title = write.checked ? gettext("Included in Write") : "";
      }
      write.addEventListener("change", sync);
      sync();
    });
  }

  // Confirmations: links and GET forms marked data-confirm-dialog lead to a real
  // confirmation page. Here that page's panel is fetched and shown as a modal
  // dialog instead; its POST form submits as usual. Any failure falls back to
  // opening the page itself.
  function confirmUrl(element, submitter) {
    if (element.tagName === "A") return element.href;
    var data = new FormData(element);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    // Not element.action: a control named "action" (the bulk bar's buttons)
    // shadows that property, so read the attribute (or the submitter's).
    var action = (submitter && submitter.getAttribute("formaction")) || element.getAttribute("action") || "";
    var url = new URL(action, window.location.href);
    url.search = new URLSearchParams(data).toString();
    return url.toString();
  }

  function showConfirmation(url, opener) {
    // An item of the shared row menu is gone once the dialog closes that menu: focus
    // then goes back to the row's ⋯ button.
    var row = opener && opener.closest("tr");
    var rowButton = row && row.querySelector("[data-row-menu]");
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("not a confirmation page");
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var panel = doc.querySelector("[data-confirm-panel]");
        if (!panel) throw new Error("no confirmation panel");
        var dialog = document.createElement("dialog");
        dialog.tabIndex = -1;
        dialog.className = "confirm-dialog";
        dialog.setAttribute("aria-labelledby", "confirm-title");
        dialog.appendChild(document.importNode(panel, true));
        document.body.appendChild(dialog);
        dialog.addEventListener("close", function () {
          dialog.remove();
          returnFocus(opener, rowButton);
        });
        var cancel = dialog.querySelector("[data-confirm-cancel]");
        if (cancel) {
          cancel.addEventListener("click", function (event) {
            event.preventDefault();
            dialog.close();
          });
        }
        dialog.showModal();
        // Never the destructive button: Enter right after opening must not
        // delete anything. Escape closes the dialog (the browser's cancel).
        (cancel || dialog).focus();
      })
      .catch(function () {
        window.location.href = url;
      });
  }

  function returnFocus(opener, fallback) {
    if (!opener || !document.contains(opener)) opener = fallback;
    if (!opener || !document.contains(opener)) return;
    opener.focus();
  }

  function setUpConfirmations() {
    if (typeof HTMLDialogElement !== "function" || !window.fetch) return;
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-confirm-dialog]");
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      showConfirmation(confirmUrl(link), link);
    });
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("form[data-confirm-dialog]") || (form.getAttribute("method") || "get").toLowerCase() !== "get") return;
      event.preventDefault();
      showConfirmation(confirmUrl(form, event.submitter), event.submitter);
    });
  }

  // The list: a "select all" box for the page.
  function setUpList() {
    var all = document.querySelector("[data-select-all]");
    var rows = document.querySelectorAll("[data-select-row]");
    if (all && rows.length) {
      all.hidden = false;
      all.addEventListener("change", function () {
        rows.forEach(function (box) { box.checked = all.checked; });
      });
      rows.forEach(function (box) {
        box.addEventListener("change", function () {
          var ticked = Array.prototype.filter.call(rows, function (b) { return b.checked; }).length;
          all.checked = ticked === rows.length;
          all.indeterminate = ticked > 0 && ticked < rows.length;
        });
      });
    }
  }

  // Row menus: the list renders its menu once (<template id="row-menu-template">),
  // its URLs reversed for a placeholder id (data-pk); a row's ⋯ link (to the Info
  // page without JavaScript) opens a copy with the row's id put in. Escape or a
  // click elsewhere closes it.
  function setUpRowMenus() {
    var template = document.getElementById("row-menu-template");
    if (!template || !template.content) return;
    var open = null;
    var buttons = document.querySelectorAll("[data-row-menu]");
    buttons.forEach(function (button) {
      button.setAttribute("role", "button");
      button.setAttribute("aria-haspopup", "true");
      button.setAttribute("aria-expanded", "false");
    });

    function close(returnFocus) {
      if (!open) return;
      open.menu.remove();
      open.button.setAttribute("aria-expanded", "false");
      if (returnFocus) open.button.focus();
      open = null;
    }

    var placeholder = "/" + template.getAttribute("data-pk") + "/";
    function forRow(url, row) {
      return url.split(placeholder).join("/" + row.getAttribute("data-app-id") + "/");
    }

    function show(button) {
      var row = button.closest("tr");
      var may = (row.getAttribute("data-may") || "").split(" ");
      var next = encodeURIComponent(window.location.pathname + window.location.search);
      var menu = template.content.firstElementChild.cloneNode(true);
      menu.querySelectorAll("[data-if]").forEach(function (item) {
        var needed = item.getAttribute("data-if").split(" ");
        var keep = needed.every(function (condition) { return may.indexOf(condition) >= 0; });
        if (!keep) item.remove();
      });
      menu.querySelectorAll("a[data-href]").forEach(function (link) {
        var href = forRow(link.getAttribute("data-href"), row);
        if (link.hasAttribute("data-next")) href += "?next=" + next;
        link.href = href;
      });
      menu.querySelectorAll("form[data-action]").forEach(function (form) {
        form.action = forRow(form.getAttribute("data-action"), row);
      });
      menu.id = "row-menu-open";
      button.setAttribute("aria-controls", menu.id);
      button.setAttribute("aria-expanded", "true");
      button.parentNode.appendChild(menu);
      open = { button: button, menu: menu };
      var first = menu.querySelector("a, button");
      if (first) first.focus();
    }

    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-row-menu]");
      if (button) {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        var same = open && open.button === button;
        close(false);
        if (!same) show(button);
        return;
      }
      if (open && !open.menu.contains(event.target)) close(false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && open) {
        close(true);
      } else if (event.key === " " && event.target.matches && event.target.matches("[data-row-menu]")) {
        event.preventDefault();
        event.target.click();
      }
    });
  }

  // Icon picker: the native file input says "No file chosen" even beside an
  // icon the server accepted and keeps. With this script a button opens the
  // file chooser and a status line says what will be saved: the kept icon, or
  // the newly chosen file's name (the old preview goes: it is being replaced,
  // and the server checks the new file on Save).
  function setUpIconPicker() {
    document.querySelectorAll("[data-icon-picker]").forEach(function (picker) {
      var input = picker.querySelector("input[type=file]");
      var choose = picker.querySelector("[data-icon-choose]");
      var status = picker.querySelector("[data-icon-status]");
      var preview = picker.querySelector("[data-icon-preview]");
      if (!input || !choose || !status) return;
      picker.classList.add("is-enhanced");
      input.tabIndex = -1;
      choose.hidden = false;
      status.hidden = false;
      choose.addEventListener("click", function () { input.click(); });
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        if (!file) return;
        status.textContent = file.name;
        if (preview) preview.replaceChildren();
      });
    });
  }

  // Focus the error summary so keyboard and screen-reader users hear it.
  function focusErrors() {
    var summary = document.getElementById("conflict") || document.getElementById("form-errors");
    if (summary) summary.focus();
  }

  onReady(function () {
    setUpCopy();
    setUpUrlLists();
    setUpScopes();
    setUpConfirmations();
    setUpList();
    setUpIconPicker();
    setUpRowMenus();
    focusErrors();
  });
})();
