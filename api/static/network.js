// Draws every .network element from the JSON in its data-source <script>; clicking a node opens its page.
(function () {
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
      // a fixed drawing: fit the arrows too (vis-network's fit() frames only the nodes)
      var e = data.extent;
      net.moveTo({ position: { x: e.x, y: e.y },
                   scale: Math.min(el.clientWidth / e.width, el.clientHeight / e.height, 1.2) });
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
