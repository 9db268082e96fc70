// The query page: line numbers beside the editor, Ctrl/Cmd+Enter to run, Tab inserts two spaces.
(function () {
  "use strict";
  var area = document.getElementById("query");
  var numbers = document.getElementById("line-numbers");
  var form = document.getElementById("query-form");
  if (!area || !form) return;

  function renumber() {
    if (!numbers) return;
    var n = area.value.split("\n").length;
    var out = [];
    for (var i = 1; i <= n; i++) out.push(String(i));
    numbers.textContent = out.join("\n");
    numbers.scrollTop = area.scrollTop;
  }

  area.addEventListener("input", renumber);
  area.addEventListener("scroll", function () { if (numbers) numbers.scrollTop = area.scrollTop; });
  area.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.submit();
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
