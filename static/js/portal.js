// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

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
          var copied = button.getAttribute("data-copied") || "Copied";
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
        read.title = write.checked ? "Included in Write" : "";
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
          returnFocus(opener);
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

  function returnFocus(opener) {
    if (!opener || !document.contains(opener)) return;
    var menu = opener.closest("details");
    if (menu && !menu.open) opener = menu.querySelector("summary");
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

  // The list: a "select all" box for the page, and row menus that close on
  // Escape or a click elsewhere.
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
    var menus = document.querySelectorAll("details.row-menu");
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) return;
        menus.forEach(function (other) { if (other !== menu) other.open = false; });
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) { if (!menu.contains(event.target)) menu.open = false; });
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
    focusErrors();
  });
})();
