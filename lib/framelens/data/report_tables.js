/* framelens table tools: search, filter, sort and "show all" for the long tables of a report.
   Offline, no dependencies. A table opts in with data-fl-table (written by report.show_table):
   data-fl-top = rows shown first, data-fl-rows = rows of the whole table, data-fl-csv = the name
   of its CSV in ../tables/. Query syntax: words (all must occur in a row), "a phrase",
   -word (must not occur), column:text, column=text (whole cell), column>number, column<=number. */
(function () {
  "use strict";
  var NUM = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
  function num(text) {
    var s = text.replace(/[,\s%\u00a0]/g, "").replace("\u2212", "-");
    return NUM.test(s) ? parseFloat(s) : NaN;
  }
  function fmt(n) { return n.toLocaleString("en-US"); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function parse(query, names) {
    var tests = [], parts = query.match(/-?"[^"]*"|\S+/g) || [];
    parts.forEach(function (raw) {
      var neg = raw.length > 1 && raw.charAt(0) === "-", t = neg ? raw.slice(1) : raw, test;
      var m = /^([^:<>=!"]+?)(:|>=|<=|!=|>|<|=)(.*)$/.exec(t);
      var col = m ? names.indexOf(m[1].toLowerCase().replace(/ /g, "_")) : -1;
      if (col >= 0) {
        var op = m[2], v = m[3].replace(/^"|"$/g, "").toLowerCase(), x = num(v);
        test = function (r) {
          var c = r.cells[col] || "";
          if (op === ":") return c.indexOf(v) >= 0;
          if (op === "=") return c === v;
          if (op === "!=") return c !== v;
          var y = num(c);
          if (isNaN(y) || isNaN(x)) return false;
          return op === ">" ? y > x : op === "<" ? y < x : op === ">=" ? y >= x : y <= x;
        };
      } else {
        var w = t.replace(/^"|"$/g, "").toLowerCase();
        if (!w) return;
        test = function (r) { return r.text.indexOf(w) >= 0; };
      }
      tests.push(neg ? function (r) { return !test(r); } : test);
    });
    return function (r) {
      for (var i = 0; i < tests.length; i++) if (!tests[i](r)) return false;
      return true;
    };
  }

  function setup(table) {
    var tbody = table.tBodies[0];
    if (!tbody || !table.tHead) return;
    var top = parseInt(table.getAttribute("data-fl-top"), 10) || 20;
    var total = parseInt(table.getAttribute("data-fl-rows"), 10) || tbody.rows.length;
    var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
    var names = [], rows = [], sortCol = -1, sortDir = 0, showAll = false, query = "", placed = "";
    for (var i = 0; i < heads.length; i++) names.push(heads[i].textContent.trim().toLowerCase().replace(/ /g, "_"));
    Array.prototype.forEach.call(tbody.rows, function (tr, k) {
      var cells = Array.prototype.map.call(tr.cells, function (c) { return c.textContent.trim().toLowerCase(); });
      rows.push({ tr: tr, k: k, cells: cells, text: cells.join("\t") });
    });
    var numeric = names.map(function (_, c) {
      var seen = 0;
      for (var i = 0; i < rows.length; i++) {
        var v = rows[i].cells[c];
        if (v === "" || v === "\u2013") continue;
        if (isNaN(num(v))) return false;
        seen++;
      }
      return seen > 0;
    });

    // the tools go into the caption, under its title
    var cap = table.caption || table.createCaption();
    Array.prototype.forEach.call(cap.querySelectorAll(".fl-cut"), function (s) { s.remove(); });
    var tools = el("div", "fl-tools");
    var box = el("input", "fl-search");
    box.type = "search";
    box.placeholder = "Search or filter, e.g. " + (names[0] || "column") + ":text";
    box.setAttribute("aria-label", "Search or filter the rows of this table");
    box.title = "Words must all occur in a row; \"a phrase\"; -word excludes; column:text, " +
      "column=value, column>number, column<=number filter one column (columns: " + names.join(", ") + ")";
    var status = el("span", "fl-status-line");
    status.setAttribute("aria-live", "polite");
    tools.appendChild(box);
    tools.appendChild(status);
    var csv = table.getAttribute("data-fl-csv");
    if (csv && /^[A-Za-z0-9_.-]+$/.test(csv)) {
      var a = el("a", "fl-csv", "CSV (" + fmt(total) + " rows)");
      a.href = "../tables/" + csv + ".csv";
      a.title = "The whole table as a CSV file (tables/" + csv + ".csv)";
      tools.appendChild(a);
    }
    cap.appendChild(tools);
    var more = el("button", "fl-more");
    more.type = "button";
    table.insertAdjacentElement("afterend", more);
    tbody.classList.add("fl-live");

    function render() {
      var order = rows.slice();
      if (sortDir) {
        order.sort(function (a, b) {
          var x = a.cells[sortCol], y = b.cells[sortCol], d;
          var ex = x === "" || x === "\u2013", ey = y === "" || y === "\u2013";
          if (ex || ey) return ex === ey ? a.k - b.k : ex ? 1 : -1;  // empty cells last
          d = numeric[sortCol] ? num(x) - num(y) : x.localeCompare(y);
          return d ? d * sortDir : a.k - b.k;
        });
      }
      var test = parse(query, names), matched = 0, shown = 0, key = sortCol + "/" + sortDir;
      var move = key !== placed;
      placed = key;
      order.forEach(function (r) {
        var ok = test(r);
        if (ok) matched++;
        var vis = ok && (showAll || matched <= top);
        if (vis) shown++;
        r.tr.hidden = !vis;
        if (move) tbody.appendChild(r.tr);
      });
      var msg = query ? fmt(matched) + " of " + fmt(rows.length) + " rows match" : fmt(rows.length) + " rows";
      if (shown < matched) msg += ", showing the first " + fmt(shown);
      if (total > rows.length) msg += " (this page holds the first " + fmt(rows.length) + " of " + fmt(total) + "; all in the CSV)";
      status.textContent = msg;
      more.hidden = matched <= top;
      more.textContent = showAll ? "Show the first " + fmt(top) + " rows" : "Show all " + fmt(matched) + " rows";
    }

    Array.prototype.forEach.call(heads, function (th, c) {
      if (!th.textContent.trim()) return;
      var b = el("button", "fl-sort");
      while (th.firstChild) b.appendChild(th.firstChild);
      // long snake_case names may wrap after an underscore
      Array.prototype.forEach.call(b.childNodes, function (n) {
        if (n.nodeType === 3) n.nodeValue = n.nodeValue.replace(/_(?=.)/g, "_\u200b");
      });
      b.type = "button";
      b.title = "Sort by this column";
      th.appendChild(b);
      b.addEventListener("click", function () {
        sortDir = sortCol === c ? (sortDir === 1 ? -1 : sortDir === -1 ? 0 : 1) : 1;
        sortCol = c;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        if (sortDir) th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
        render();
      });
    });
    box.addEventListener("input", function () { query = box.value.trim(); render(); });
    more.addEventListener("click", function () { showAll = !showAll; render(); });
    render();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-fl-table]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
