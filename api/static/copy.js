// "copy citation" buttons and the table filter boxes.
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("button.copy");
  if (!b) return;
  var text = b.dataset.copy;
  function done() { b.textContent = "copied"; setTimeout(function () { b.textContent = "copy citation"; }, 1500); }
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, done);
  else { var t = document.createElement("textarea"); t.value = text; document.body.appendChild(t); t.select();
         try { document.execCommand("copy"); } catch (e) {} document.body.removeChild(t); done(); }
});
document.addEventListener("input", function (ev) {
  var box = ev.target;
  if (!box.matches("input.filter[data-filter]")) return;
  var q = box.value.toLowerCase();
  document.querySelectorAll(box.dataset.filter + " tbody tr").forEach(function (tr) {
    tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
  });
});
