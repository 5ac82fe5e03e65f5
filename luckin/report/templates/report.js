// Sortable tables and "Show all" for the report pages (no network, no library).
(function () {
  "use strict";
  function key(cell) {
    var v = cell.getAttribute("data-sort");
    if (v === null) { v = cell.textContent.trim(); }
    var n = Number(v);
    return (v !== "" && !isNaN(n)) ? n : v.toLowerCase();
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var descending = th.getAttribute("aria-sort") === "ascending";
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      if (x === y) { return 0; }
      if (typeof x === "number" && typeof y !== "number") { return -1; }
      if (typeof y === "number" && typeof x !== "number") { return 1; }
      return (x < y ? -1 : 1) * (descending ? -1 : 1);
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var limit = Number(table.getAttribute("data-shown") || rows.length);
    var expanded = table.getAttribute("data-expanded") === "true";
    rows.forEach(function (row, i) {
      body.appendChild(row);
      row.hidden = !expanded && i >= limit;
    });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(table, index, th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, index, th); }
      });
    });
  });
  document.querySelectorAll(".no-script").forEach(function (p) { p.hidden = true; });
  document.querySelectorAll("button.show-all").forEach(function (button) {
    button.hidden = false;
    var table = document.getElementById(button.getAttribute("aria-controls"));
    var total = table.tBodies[0].rows.length;
    var shown = Number(table.getAttribute("data-shown"));
    button.addEventListener("click", function () {
      var expand = table.getAttribute("data-expanded") !== "true";
      table.setAttribute("data-expanded", expand ? "true" : "false");
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row, i) { row.hidden = !expand && i >= shown; });
      button.textContent = expand ? "Show the first " + shown + " rows" : "Show all " + total + " rows";
      button.setAttribute("aria-expanded", expand ? "true" : "false");
    });
  });
}());
