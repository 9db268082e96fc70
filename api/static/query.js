// The query page: line numbers beside the editor, Ctrl/Cmd+Enter to run, Tab inserts two spaces; a long query
// is posted rather than put in the URL (where it would not fit), and one over the server's limit is not sent.
(function () {
  "use strict";
  var area = document.getElementById("query");
  var numbers = document.getElementById("line-numbers");
  var form = document.getElementById("query-form");
  var size = document.getElementById("query-size");
  if (!area || !form) return;
  var postOver = parseInt(form.dataset.postOver, 10) || 4000;
  var maxBytes = parseInt(form.dataset.maxBytes, 10) || 0;

  function renumber() {
    if (!numbers) return;
    var n = area.value.split("\n").length;
    var out = [];
    for (var i = 1; i <= n; i++) out.push(String(i));
    numbers.textContent = out.join("\n");
    numbers.scrollTop = area.scrollTop;
  }

  // GET keeps a short query in the URL (a link to share); a long one goes in a POST body. Returns whether to send.
  function prepare() {
    var long = area.value.length > postOver;
    form.method = long ? "post" : "get";
    var bytes = new URLSearchParams({ query: area.value }).toString().length;
    if (maxBytes && bytes > maxBytes) {
      if (size) size.textContent = "The query is " + bytes + " bytes once encoded; the server takes at most " +
        maxBytes + ". Shorten it, or send it to /sparql as an application/sparql-query body.";
      return false;
    }
    if (size) size.textContent = "";
    return true;
  }

  form.addEventListener("submit", function (e) {
    if (!prepare()) e.preventDefault();
  });
  area.addEventListener("input", renumber);
  area.addEventListener("scroll", function () { if (numbers) numbers.scrollTop = area.scrollTop; });
  area.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (prepare()) form.submit();
    } else if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      var s = area.selectionStart, t = area.selectionEnd;
      area.value = area.value.slice(0, s) + "  " + area.value.slice(t);
      area.selectionStart = area.selectionEnd = s + 2;
      renumber();
    }
  });
  renumber();
})();
