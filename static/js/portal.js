// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // Copy buttons: <button data-copy="#input-id">.
  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.querySelector(button.getAttribute("data-copy"));
        if (!field) return;
        var label = button.textContent;
        var done = function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = label; }, 1500);
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

  // URL lists: Add and Remove without a round trip to the server.
  function setUpUrlLists() {
    document.querySelectorAll("[data-url-list]").forEach(function (list) {
      var rows = list.querySelector("[data-rows]");
      var addButton = list.querySelector("[data-add-row]");
      var max = parseInt(list.getAttribute("data-max"), 10) || 12;

      function renumber() {
        var all = rows.querySelectorAll("[data-row]");
        all.forEach(function (row, index) {
          var input = row.querySelector("input");
          var label = input.getAttribute("aria-label").replace(/\s\d+$/, "");
          input.setAttribute("aria-label", label + " " + (index + 1));
          row.querySelector("[data-remove-row]").value = String(index);
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

  // Focus the error summary so keyboard and screen-reader users hear it.
  function focusErrors() {
    var summary = document.getElementById("form-errors");
    if (summary) summary.focus();
  }

  onReady(function () {
    setUpCopy();
    setUpUrlLists();
    setUpScopes();
    focusErrors();
  });
})();
