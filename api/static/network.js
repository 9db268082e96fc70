// Draws every .network element from the JSON in its data-source <script>; clicking a node opens its page.
(function () {
  var MIN_SCALE = 0.6; // below this, 14 px labels shrink under 9 px
  function draw(el) {
    var src = document.getElementById(el.dataset.source);
    if (!src || typeof vis === "undefined") return;
    var data = JSON.parse(src.textContent);
    if (!data.nodes || !data.nodes.length) { el.classList.add("empty"); el.textContent = "Nothing to draw."; return; }
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges.map(function (e, i) { e.id = i; return e; }));
    var net = new vis.Network(el, { nodes: nodes, edges: edges }, data.options || {});
    net.once("stabilizationIterationsDone", function () { net.setOptions({ physics: { enabled: false } }); net.fit(); });
    if (data.extent) {
      // a fixed drawing: fit the arrows too (vis-network's fit() frames only the nodes). On a narrow screen
      // the whole would be too small to read: keep labels legible, centred on the focus, and let it be panned
      var e = data.extent, fit = Math.min(el.clientWidth / e.width, el.clientHeight / e.height, 1.2);
      var legible = fit >= MIN_SCALE || !data.focus;
      net.moveTo({ position: legible ? { x: e.x, y: e.y } : data.focus, scale: Math.max(fit, MIN_SCALE) });
    }
    net.on("click", function (params) {
      if (params.nodes.length) {
        var n = nodes.get(params.nodes[0]);
        if (n && n.url) window.location.href = n.url;
      }
    });
    net.on("hoverNode", function () { el.style.cursor = "pointer"; });
    net.on("blurNode", function () { el.style.cursor = "default"; });
    el.visNetwork = net;
  }
  function all() { document.querySelectorAll(".network[data-source]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
