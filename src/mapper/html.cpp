// One self-contained interactive HTML page per Mapper graph: inline SVG drawn by a small script.
#include <algorithm>
#include <cmath>

#include "actopo/mapper.hpp"

namespace actopo::mapper {

namespace {

std::string base64(const std::vector<std::uint8_t>& bytes) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t v = std::uint32_t(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= std::uint32_t(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) v |= bytes[i + 2];
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? table[v & 63] : '=';
    }
    return out;
}

/// Keeps `</script>` out of the inline data.
std::string script_safe(std::string s) {
    std::string::size_type at = 0;
    while ((at = s.find("</", at)) != std::string::npos) s.replace(at, 2, "<\\/"), at += 3;
    return s;
}

const char* kPage = R"HTML(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>@TITLE@</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:0;background:#fafafa}
header{padding:8px 14px;background:#fff;border-bottom:1px solid #ddd}
#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #999;padding:6px 8px;font-size:12px;
     display:none;max-width:360px;box-shadow:2px 2px 6px rgba(0,0,0,.2)}
#tip canvas{margin:2px;image-rendering:pixelated;border:1px solid #ccc}
#sel{padding:6px 14px;font-size:12px;background:#fff;border-top:1px solid #ddd}
#sel textarea{width:100%;height:48px;font-size:11px}
#legend span{display:inline-block;margin-right:10px;font-size:12px}
#legend i{display:inline-block;width:10px;height:10px;margin-right:3px}
svg{display:block;margin:auto}
</style></head><body>
<header><b>@TITLE@</b> &mdash; <span id="stats"></span><br>
colour by <select id="mode"><option value="class">class</option><option value="lens">lens</option>
<option value="wrong">misclassification</option></select> <span id="legend"></span></header>
<div id="view"></div><div id="sel">click a node to list its member input ids and export them</div><div id="tip"></div>
<script>
const G = @DATA@;
const NS = "http://www.w3.org/2000/svg";
function el(n, a) { const e = document.createElementNS(NS, n); for (const k in a) e.setAttribute(k, a[k]); return e; }
function ramp(t, a, b) { t = Math.max(0, Math.min(1, t)); const c = i => Math.round(a[i] + (b[i] - a[i]) * t);
  return "rgb(" + c(0) + "," + c(1) + "," + c(2) + ")"; }
function name(c) { return G.class_names[c] !== undefined ? G.class_names[c] : String(c); }
function colour(c) { return G.colours[c] || "#cccccc"; }
let lo = Infinity, hi = -Infinity;
for (const n of G.nodes) { lo = Math.min(lo, n.lens); hi = Math.max(hi, n.lens); }
const xs = G.nodes.map(n => n.x), ys = G.nodes.map(n => n.y), pad = 40;
const minx = Math.min(...xs, 0), maxx = Math.max(...xs, 1), miny = Math.min(...ys, 0), maxy = Math.max(...ys, 1);
const W = Math.max(400, maxx - minx + 2 * pad), H = Math.max(300, maxy - miny + 2 * pad);
const svg = el("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H});
const X = x => x - minx + pad, Y = y => maxy - y + pad;
const byId = {}; for (const n of G.nodes) byId[n.id] = n;
for (const l of G.links) { const a = byId[l.source], b = byId[l.target];
  svg.appendChild(el("line", {x1: X(a.x), y1: Y(a.y), x2: X(b.x), y2: Y(b.y), stroke: "#999", "stroke-width": 0.5 + 3 * l.weight})); }
const layer = el("g", {}); svg.appendChild(layer);
let vlo = Infinity, vhi = -Infinity;
for (const n of G.nodes) if (n.value !== null && n.value !== undefined) { vlo = Math.min(vlo, n.value); vhi = Math.max(vhi, n.value); }
if (G.color_by) { const o = document.createElement("option"); o.value = "value"; o.textContent = G.color_by;
  document.getElementById("mode").appendChild(o); }
function fillOf(n, mode) {
  if (mode === "class") return colour(n.classes[0][0]);
  if (mode === "lens") return ramp(hi > lo ? (n.lens - lo) / (hi - lo) : 0.5, [68, 1, 84], [253, 231, 37]);
  if (mode === "value") { if (n.value === null) return "#ffffff";
    return G.categorical ? colour(n.value) : ramp(vhi > vlo ? (n.value - vlo) / (vhi - vlo) : 0.5, [68, 1, 84], [253, 231, 37]); }
  return ramp(n.wrong, [255, 255, 255], [200, 0, 0]);
}
function draw(mode) {
  layer.innerHTML = "";
  for (const n of G.nodes) {
    const g = el("g", {}), cx = X(n.x), cy = Y(n.y);
    if (mode === "class" && n.classes.length > 1) {
      let a0 = -Math.PI / 2;
      for (const [c, k] of n.classes) { const a1 = a0 + 2 * Math.PI * k / n.size;
        const large = a1 - a0 > Math.PI ? 1 : 0;
        g.appendChild(el("path", {d: "M" + cx + "," + cy + " L" + (cx + n.r * Math.cos(a0)) + "," + (cy + n.r * Math.sin(a0)) +
          " A" + n.r + "," + n.r + " 0 " + large + " 1 " + (cx + n.r * Math.cos(a1)) + "," + (cy + n.r * Math.sin(a1)) + " Z",
          fill: colour(c)})); a0 = a1; }
      g.appendChild(el("circle", {cx: cx, cy: cy, r: n.r, fill: "none", stroke: "#333", "stroke-width": 0.5}));
    } else {
      g.appendChild(el("circle", {cx: cx, cy: cy, r: n.r, fill: fillOf(n, mode), stroke: "#333", "stroke-width": 0.5}));
    }
    g.addEventListener("mousemove", e => show(n, e)); g.addEventListener("click", () => select(n)); g.addEventListener("mouseleave", () => tip.style.display = "none");
    layer.appendChild(g);
  }
  const lg = document.getElementById("legend");
  if (mode === "class") lg.innerHTML = G.classes.map(c => '<span><i style="background:' + colour(c) + '"></i>' + name(c) + "</span>").join("");
  else if (mode === "lens") lg.innerHTML = "lens " + G.lens + ": " + lo.toFixed(3) + " (purple) .. " + hi.toFixed(3) + " (yellow)";
  else if (mode === "value" && G.categorical) lg.innerHTML = G.color_by + " (most common in the node): " +
    G.classes.map(c => '<span><i style="background:' + colour(c) + '"></i>' + name(c) + "</span>").join("");
  else if (mode === "value") lg.innerHTML = G.color_by + " (mean over the node): " + vlo.toFixed(3) + " (purple) .. " + vhi.toFixed(3) + " (yellow)";
  else lg.innerHTML = "share misclassified: 0 (white) .. 1 (red)";
}
const tip = document.getElementById("tip");
function show(n, e) {
  let h = "<b>node " + n.id + "</b>: " + n.size + " points<br>majority " + name(n.majority) + ", purity " + n.purity.toFixed(3) +
    "<br>misclassified " + n.wrong.toFixed(3) + "<br>lens mean " + n.lens.toFixed(4) + "<br>" +
    n.classes.map(([c, k]) => '<span style="color:' + colour(c) + '">&#9632;</span> ' + name(c) + ": " + k).join("<br>") +
    (n.value !== null && n.value !== undefined ? "<br>" + G.color_by + ": " + (G.categorical ? name(n.value) : n.value.toFixed(4)) : "") +
    "<br>" + (G.exemplars ? "exemplars (nearest the centre)" : "examples") + ": " + n.examples.join(", ") + "<br>";
  tip.innerHTML = h;
  for (const id of n.examples) { const px = G.thumbs[id]; if (!px) continue;
    const cv = document.createElement("canvas"); cv.width = 28; cv.height = 28; cv.style.width = "42px";
    const ctx = cv.getContext("2d"), img = ctx.createImageData(28, 28), raw = atob(px);
    for (let i = 0; i < 784; ++i) { const v = raw.charCodeAt(i); img.data.set([v, v, v, 255], 4 * i); }
    ctx.putImageData(img, 0, 0); tip.appendChild(cv); }
  if (n.attr) { const [w, hgt] = G.attr_size;
    const cap = document.createElement("div"); cap.textContent = "mean " + G.attr_method + " map of the members (red +, blue -, max |v| " + n.attr_max.toPrecision(3) + ")";
    tip.appendChild(cap);
    const cv = document.createElement("canvas"); cv.width = w; cv.height = hgt; cv.style.width = (3 * w) + "px";
    const ctx = cv.getContext("2d"), img = ctx.createImageData(w, hgt);
    for (let i = 0; i < w * hgt; ++i) { const t = n.attr[i] / 100;
      img.data.set(t >= 0 ? [255, Math.round(255 * (1 - t)), Math.round(255 * (1 - t)), 255]
                          : [Math.round(255 * (1 + t)), Math.round(255 * (1 + t)), 255, 255], 4 * i); }
    ctx.putImageData(img, 0, 0); tip.appendChild(cv); }
  tip.style.display = "block"; tip.style.left = (e.clientX + 14) + "px"; tip.style.top = (e.clientY + 10) + "px";
}
function select(n) {
  const box = document.getElementById("sel"), ids = n.members.join("\n") + "\n";
  const url = URL.createObjectURL(new Blob(["input_id\n" + ids], {type: "text/csv"}));
  box.innerHTML = "<b>node " + n.id + "</b>: " + n.members.length + ' member input ids <a download="node-' + n.id +
    '-members.csv" href="' + url + '">download node-' + n.id + '-members.csv</a><br><textarea readonly></textarea>';
  box.querySelector("textarea").value = n.members.join(", ");
}
document.getElementById("stats").textContent = G.stats;
document.getElementById("view").appendChild(svg);
document.getElementById("mode").addEventListener("change", e => draw(e.target.value));
draw("class");
</script></body></html>
)HTML";

void replace_all(std::string& s, const std::string& what, const std::string& with) {
    for (std::string::size_type at = 0; (at = s.find(what, at)) != std::string::npos; at += with.size())
        s.replace(at, what.size(), with);
}


}  // namespace

std::string to_html(const Graph& g, const std::vector<std::string>& class_names, const std::string& title,
                    const std::map<std::int64_t, std::vector<std::uint8_t>>& thumbnails) {
    auto pos = layout(g);
    std::size_t largest = 1;
    for (const auto& node : g.nodes) largest = std::max(largest, node.size);
    nlohmann::json data;
    data["class_names"] = class_names;
    data["lens"] = g.meta.value("lens", "");
    data["stats"] = count_noun(g.nodes.size(), "node") + ", " + count_noun(g.links.size(), "edge") + ", " +
                    count_noun(g.components, "component") + ", " + count_noun(g.cycles, "cycle") + ", mean purity " + std::to_string(g.mean_purity).substr(0, 5) + "; hover a node";
    nlohmann::json colours = nlohmann::json::object(), classes = nlohmann::json::array(), thumbs = nlohmann::json::object();
    for (const auto& s : g.spread) {
        colours[std::to_string(s.label)] = class_colour(s.label);
        classes.push_back(s.label);
    }
    data["colours"] = colours;
    data["classes"] = classes;
    data["nodes"] = nlohmann::json::array();
    for (const auto& node : g.nodes) {
        nlohmann::json cls = nlohmann::json::array(), examples = nlohmann::json::array();
        for (const auto& [label, count] : node.classes) cls.push_back({label, count});
        std::vector<std::int64_t> shown = node.exemplars;  // else evenly spaced members
        const std::size_t step = std::max<std::size_t>(1, node.members.size() / 8);
        for (std::size_t i = 0; node.exemplars.empty() && i < node.members.size() && shown.size() < 8; i += step)
            shown.push_back(node.members[i]);
        for (auto id : shown) {
            examples.push_back(id);
            auto t = thumbnails.find(id);
            if (t != thumbnails.end()) thumbs[std::to_string(id)] = base64(t->second);
        }
        auto p = pos.count(node.id) ? pos.at(node.id) : std::pair<double, double>{0, 0};
        data["nodes"].push_back({{"id", node.id}, {"x", p.first}, {"y", p.second},
                                 {"r", 36.0 * (0.12 + 0.75 * std::sqrt(double(node.size) / double(largest)))},
                                 {"size", node.size}, {"classes", cls}, {"majority", node.majority},
                                 {"purity", node.purity}, {"wrong", node.misclassified},
                                 {"lens", node.lens_mean[0]}, {"examples", examples}, {"members", node.members}});
        auto& added = data["nodes"].back();
        if (!g.color_by.empty()) added["value"] = std::isfinite(node.color_value) ? nlohmann::json(node.color_value) : nlohmann::json(nullptr);
        if (!node.attribution_mean.empty() && g.attribution_shape.size() >= 2) {  // channel 0 of [..., H, W], in
            // hundredths of the node's largest |value|
            const std::size_t w = std::size_t(g.attribution_shape.back()), h = std::size_t(g.attribution_shape[g.attribution_shape.size() - 2]);
            const std::size_t count = std::min(w * h, node.attribution_mean.size());
            double largest = 0;
            for (std::size_t k = 0; k < count; ++k) largest = std::max(largest, std::abs(double(node.attribution_mean[k])));
            nlohmann::json attr = nlohmann::json::array();
            for (std::size_t k = 0; k < count; ++k)
                attr.push_back(largest > 0 ? int(std::lround(100 * double(node.attribution_mean[k]) / largest)) : 0);
            added["attr"] = attr;
            added["attr_max"] = largest;
        }
    }
    data["links"] = nlohmann::json::array();
    for (const auto& l : g.links) data["links"].push_back({{"source", l.source}, {"target", l.target}, {"weight", l.weight}});
    data["thumbs"] = thumbs;
    data["exemplars"] = !g.nodes.empty() && !g.nodes.front().exemplars.empty();
    if (!g.color_by.empty()) data["color_by"] = g.color_by, data["categorical"] = g.color_categorical;
    if (!g.attribution_method.empty() && g.attribution_shape.size() >= 2)
        data["attr_method"] = g.attribution_method,
        data["attr_size"] = {g.attribution_shape.back(), g.attribution_shape[g.attribution_shape.size() - 2]};
    std::string page = kPage;
    replace_all(page, "@TITLE@", xml_escape(title));
    replace_all(page, "@DATA@", script_safe(data.dump()));
    return page;
}

}  // namespace actopo::mapper
