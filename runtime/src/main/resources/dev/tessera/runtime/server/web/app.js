// Tessera's web page: everything through the JSON API (/v1/...), no build step.
"use strict";
const $ = (id) => document.getElementById(id);
let pipelines = [];
let token = sessionStorage.getItem("tessera-token") || "";

function withToken(url) {
  return token ? url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : url;
}

async function api(method, url, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers["Authorization"] = "Bearer " + token;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({ error: "HTTP " + res.status }));
  if (res.status === 401) $("token-box").hidden = false;
  if (!res.ok) throw new Error((data.field ? data.field + ": " : "") + (data.error || "HTTP " + res.status));
  return data;
}

function showError(e) { $("error").textContent = e ? String(e.message || e) : ""; }

function optionInput(o) {
  const id = "opt-" + o.key;
  const wrap = document.createElement("div");
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = o.key + (o.meaning ? " (" + o.meaning + ")" : "");
  let input;
  if (o.type === "choice") {
    input = document.createElement("select");
    for (const c of o.choices) { const op = document.createElement("option"); op.value = op.textContent = c; input.append(op); }
  } else if (o.type === "boolean") {
    input = document.createElement("input"); input.type = "checkbox"; input.checked = !!o.default;
  } else {
    input = document.createElement("input");
    input.type = (o.type === "integer" || o.type === "number") ? "number" : "text";
    if (o.type === "number") input.step = "any";
    if (o.min !== undefined && !o.min_exclusive && isFinite(o.min)) input.min = o.min;
    if (o.max !== undefined && isFinite(o.max)) input.max = o.max;
  }
  input.id = id; input.dataset.key = o.key; input.dataset.type = o.type;
  if (o.default !== null && o.default !== undefined && o.type !== "boolean") input.value = o.default;
  input.dataset.default = o.default === null || o.default === undefined ? "" : String(o.default);
  wrap.append(label, input);
  return wrap;
}

function renderOptions() {
  const p = pipelines.find((x) => x.name === $("pipeline").value);
  const box = $("options");
  box.replaceChildren(Object.assign(document.createElement("legend"), { textContent: "Options" }));
  $("pipeline-description").textContent = p ? p.description : "";
  if (p) for (const o of p.options) box.append(optionInput(o));
}

function chosenOptions() {
  const out = {};
  for (const el of $("options").querySelectorAll("[data-key]")) {
    let v;
    if (el.dataset.type === "boolean") v = el.checked;
    else if (el.value === "") continue;
    else if (el.dataset.type === "integer") v = parseInt(el.value, 10);
    else if (el.dataset.type === "number") v = parseFloat(el.value);
    else v = el.value;
    if (String(v) !== el.dataset.default) out[el.dataset.key] = v;
  }
  return out;
}

function jobView(job, parent) {
  const div = document.createElement("div");
  div.className = "job"; div.id = "job-" + job.id;
  const h = document.createElement("h3");
  h.textContent = job.pipeline + ": \u201c" + job.prompt + "\u201d (seed " + job.seed + ")";
  const bar = document.createElement("progress"); bar.max = 1; bar.value = 0; bar.setAttribute("aria-label", "progress of " + job.pipeline);
  const status = document.createElement("p"); status.className = "status"; status.setAttribute("aria-live", "polite");
  const cancel = document.createElement("button"); cancel.type = "button"; cancel.textContent = "Cancel"; cancel.className = "cancel";
  cancel.onclick = () => api("DELETE", "/v1/jobs/" + job.id).catch(showError);
  const grid = document.createElement("div"); grid.className = "grid";
  const settings = document.createElement("p"); settings.className = "settings";
  div.append(h, bar, status, cancel, grid, settings);
  parent.prepend(div);
  follow(job, div);
}

function update(job, div) {
  const bar = div.querySelector("progress");
  const p = job.progress || {};
  if (p.total > 0) { bar.max = p.total; bar.value = p.done; }
  div.querySelector(".status").textContent = job.state + (p.total ? " " + p.done + "/" + p.total : "") + (job.error && job.state !== "cancelled" ? ": " + job.error : "");
  div.dataset.state = job.state;
  if (["done", "failed", "cancelled"].includes(job.state)) div.querySelector(".cancel").remove();
  if (job.state === "done") {
    bar.value = bar.max;
    const grid = div.querySelector(".grid");
    grid.replaceChildren(...job.images.map((u, i) => Object.assign(document.createElement("img"),
      { src: withToken(u), alt: "image " + (i + 1) + " of \u201c" + job.prompt + "\u201d" })));
    api("GET", job.manifest).then((m) => { div.querySelector(".settings").textContent = JSON.stringify(m.settings); }).catch(() => {});
    refreshHistory();
  }
}

function follow(job, div) {
  const events = new EventSource(withToken("/v1/jobs/" + job.id + "/events"));
  events.addEventListener("progress", (e) => update(JSON.parse(e.data), div));
  events.addEventListener("end", (e) => { update(JSON.parse(e.data), div); events.close(); });
  events.onerror = () => { events.close(); api("GET", "/v1/jobs/" + job.id).then((j) => update(j, div)).catch(() => {}); };
}

function request(pipeline, options) {
  return { pipeline, prompt: $("prompt").value, count: parseInt($("count").value, 10), seed: parseInt($("seed").value, 10), options };
}

async function submit(e) {
  e.preventDefault(); showError(null);
  try {
    const job = await api("POST", "/v1/jobs", request($("pipeline").value, chosenOptions()));
    jobView(job, $("results"));
  } catch (err) { showError(err); }
}

async function sideBySide() {
  showError(null);
  const chosen = [...$("compare-choices").querySelectorAll("input:checked")].map((c) => c.value);
  if (chosen.length < 2 || chosen.length > 4) { showError("pick 2 to 4 pipelines for a side-by-side"); return; }
  const row = document.createElement("div"); row.className = "columns";
  $("results").prepend(row);
  for (const name of chosen.reverse()) {
    try { jobView(await api("POST", "/v1/jobs", request(name, {})), row); } catch (err) { showError(name + ": " + err.message); }
  }
}

async function refreshHistory() {
  try {
    const data = await api("GET", "/v1/jobs");
    $("history").replaceChildren(...data.jobs.map((j) => {
      const li = document.createElement("li");
      const show = document.createElement("button");
      show.type = "button"; show.className = "link";
      show.textContent = j.created.replace("T", " ").slice(0, 19) + "  " + j.pipeline + "  \u201c" + j.prompt + "\u201d  " + j.state;
      show.onclick = () => { const old = $("job-" + j.id); if (old) old.remove(); jobView(j, $("results")); };
      li.append(show);
      return li;
    }));
    return data.jobs;
  } catch (err) { /* shown by the calls the user made */ }
}

async function load() {
  try {
    const data = await api("GET", "/v1/pipelines");
    pipelines = data.pipelines;
    $("pipeline").replaceChildren(...pipelines.map((p) => Object.assign(document.createElement("option"), { value: p.name, textContent: p.name })));
    $("compare-choices").replaceChildren(...pipelines.map((p) => {
      const l = document.createElement("label");
      const c = Object.assign(document.createElement("input"), { type: "checkbox", value: p.name, name: "compare" });
      l.append(c, " " + p.name);
      return l;
    }));
    renderOptions();
    const jobs = await refreshHistory();
    // The latest finished job, so a reload shows where the user left off.
    const last = (jobs || []).find((j) => j.state === "done");
    if (last && !$("results").children.length) jobView(last, $("results"));
    showError(null);
  } catch (err) { showError(err); }
}

$("pipeline").addEventListener("change", renderOptions);
$("generate").addEventListener("submit", submit);
$("side-by-side").addEventListener("click", sideBySide);
$("token-save").addEventListener("click", () => { token = $("token").value; sessionStorage.setItem("tessera-token", token); $("token-box").hidden = true; load(); });
load();
