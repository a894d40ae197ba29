// ebb dashboard (docs/dashboard.md). Plain JavaScript, no build step: talks to the
// native API (/api/v1) of the ebbd that served it and draws charts with uPlot.
//
// Safety rule (reliability.md §4.2): every value that came from the server — queue and
// task names, message bodies, log lines, error texts — is put into the page with
// textContent / createTextNode only. This file never assigns innerHTML.
"use strict";

(() => {
  const POLL_MS = 2000;
  const PAGE = 50;           // rows per page in every list: the DOM stays bounded
  const LOG_KEEP = 256 * 1024;  // characters of a live log kept on screen

  // ------------------------------------------------------------------ helpers
  // h("div", {className: "x", onclick: f}, "text", childNode, …)
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null) continue;
        if (k === "dataset") Object.assign(el.dataset, v);
        else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
        else if (k === "className" || k === "href" || k === "id" || k === "title" || k === "type" ||
                 k === "value" || k === "disabled" || k === "placeholder" || k === "max")
          el[k] = v;
        else el.setAttribute(k, String(v));
      }
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === undefined || kid === null || kid === false) continue;
      el.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }
  const clear = (el) => { while (el.firstChild) el.removeChild(el.firstChild); return el; };
  const fmt = (n) => (n === null || n === undefined || Number.isNaN(n)) ? "–" :
    (typeof n === "number" ? (Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(2)) : String(n));
  const enc = encodeURIComponent;
  function ago(t) {
    if (!t) return "–";
    const ms = typeof t === "number" ? t : Date.parse(t);
    if (Number.isNaN(ms)) return String(t);
    const s = Math.round((Date.now() - ms) / 1000);
    const abs = Math.abs(s);
    const txt = abs < 90 ? `${abs}s` : abs < 5400 ? `${Math.round(abs / 60)}m` : abs < 172800 ?
      `${Math.round(abs / 3600)}h` : `${Math.round(abs / 86400)}d`;
    return s >= 0 ? `${txt} ago` : `in ${txt}`;
  }
  const link = (href, text) => h("a", { href }, text);

  async function api(path, opts = {}) {
    // A request that never answers must not stall the page's polling for good (every()
    // skips a tick while the previous one is still waiting): give up after 20 s.
    const init = { method: opts.method || "GET", headers: {}, signal: AbortSignal.timeout(20000) };
    if (session.csrf && init.method !== "GET") init.headers["X-CSRF-Token"] = session.csrf;
    if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    let res;
    try {
      res = await fetch("/api/v1/" + path, init);
    } catch (e) {
      return { status: 0, body: null, error: e && e.name === "TimeoutError" ? "server did not answer in 20 s" : "server unreachable" };
    }
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    const error = res.ok ? null : ((body && body.error && body.error.message) || `HTTP ${res.status}`);
    if (res.status === 401) showLogin(error);
    return { status: res.status, body, error };
  }

  // ---------------------------------------------------------------- login
  // Under ebbd --auth sigv4 the API needs credentials: the dashboard logs in with a
  // token (POST /ui/login) and then relies on the HttpOnly session cookie; the CSRF
  // token it gets back goes on every state-changing request (docs/dashboard.md#login).
  const session = { auth: "", csrf: "", scope: "" };

  async function ui(path, method, body) {
    const init = { method, headers: {}, signal: AbortSignal.timeout(20000) };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (session.csrf && method !== "GET") init.headers["X-CSRF-Token"] = session.csrf;
    try {
      const res = await fetch(path, init);
      let j = null;
      try { j = await res.json(); } catch (e) { j = null; }
      return { status: res.status, body: j };
    } catch (e) {
      return { status: 0, body: null };
    }
  }

  // reliability.md §4.1: ebbd serves plain HTTP on a non-loopback address
  // (--allow-insecure-remote). Outside <main>, so every page keeps it.
  function insecureBanner() {
    if (document.getElementById("insecure-banner")) return;
    const b = h("div", { id: "insecure-banner", className: "banner", role: "alert" },
      "Warning: this ebbd serves plain HTTP on a non-loopback address (--allow-insecure-remote). " +
      "Tokens, session cookies and messages cross the network unencrypted; start ebbd with --tls-cert and --tls-key.");
    document.getElementById("top").after(b);
  }

  function showLogin(message) {
    if (document.getElementById("login")) return;
    state.seq++;
    for (const t of state.timers) clearInterval(t);
    for (const c of state.charts) c.destroy();
    state.timers = [];
    state.charts = [];
    session.csrf = "";
    clear(document.getElementById("nav"));
    setLive(false, "logged out");
    // A fresh <main>: a page still rendering keeps appending to the old, detached one.
    const main = h("main", { id: "main" });
    document.getElementById("main").replaceWith(main);
    const input = h("input", { id: "login-token", type: "password", autocomplete: "off", placeholder: "ebb_…" });
    const err = h("p", { id: "login-error", className: "error" }, message && message !== "not logged in" ? message : "");
    const form = h("form", { id: "login" },
      h("h1", null, "Log in"),
      h("p", null, "Paste a token (ebb token create --scope read|write|admin)."),
      h("label", null, "Token ", input),
      h("button", { type: "submit", id: "login-submit" }, "Log in"),
      err);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const r = await ui("/ui/login", "POST", { token: input.value.trim() });
      if (r.status === 200 && r.body) {
        session.auth = r.body.auth;
        session.csrf = r.body.csrf || "";
        session.scope = r.body.scope || "";
        route();
        return;
      }
      err.textContent = (r.body && r.body.error && r.body.error.message) || `login failed (HTTP ${r.status})`;
    });
    main.appendChild(form);
    input.focus();
  }

  async function logout() {
    await ui("/ui/logout", "POST", {});
    session.csrf = "";
    showLogin("");
  }

  // ---------------------------------------------------------------- state
  // One page is shown at a time; its timers and charts are dropped on navigation.
  const state = { timers: [], charts: [], page: 0, seq: 0 };
  // Read by the browser tests: what each chart last drew, keyed by its id.
  window.ebbDashboard = { charts: {}, route: "", polls: 0 };

  function every(ms, fn) {
    const seq = state.seq;
    let busy = false;
    const run = async () => {
      if (busy || seq !== state.seq) return;
      busy = true;
      try { await fn(); } finally { busy = false; }
    };
    run();
    state.timers.push(setInterval(run, ms));
  }

  function setLive(ok, text) {
    const el = document.getElementById("live");
    el.className = ok ? "ok" : "bad";
    el.textContent = text;
  }

  // ---------------------------------------------------------------- charts
  // A chart of series from /api/v1/series; `defs` = [{name, label, color, axis}].
  // `marks` (optional) returns [{t: unix seconds, label, color}] drawn as vertical lines
  // (the service chart's scaling decisions).
  function chart(parent, id, title, defs, labels, range = "10m", marks = null) {
    const box = h("div", { className: "chart", dataset: { chart: id } }, h("h3", null, title));
    parent.appendChild(box);
    // Three charts to a row on a wide screen, one on a narrow one.
    const width = Math.max(340, Math.min(Math.floor((parent.clientWidth || 1200) / 3) - 30, 620));
    const series = [{}];
    for (const d of defs)
      series.push({ label: d.label, stroke: d.color, width: 2, scale: d.axis || "y", dash: d.dash,
                    paths: d.step ? uPlot.paths.stepped({ align: 1 }) : undefined,
                    value: (u, v) => v === null || v === undefined ? "–" : fmt(v) });
    const axes = [{ space: 90 }, { scale: "y", size: 50 }];
    if (defs.some((d) => d.axis === "y2")) axes.push({ scale: "y2", side: 1, grid: { show: false }, size: 50 });
    const empty = [[], ...defs.map(() => [])];
    const u = new uPlot({ width, height: 200, series, axes,
      scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] },
                y2: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] } },
      legend: { live: false },
      hooks: { draw: [(u) => {
        if (!marks) return;
        const ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
        ctx.save();
        ctx.font = `${Math.round(10 * devicePixelRatio)}px system-ui, sans-serif`;
        for (const m of marks()) {
          const x = Math.round(u.valToPos(m.t, "x", true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = m.color;
          ctx.fillStyle = m.color;
          ctx.setLineDash([2, 3]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.fillText(m.label, x + 3, top + 10 * devicePixelRatio);
        }
        ctx.restore();
      }] } }, empty, box);
    state.charts.push(u);
    const q = Object.entries(labels || {}).map(([k, v]) => `&${enc(k)}=${enc(v)}`).join("");
    const url = `series?name=${defs.map((d) => d.name).join(",")}${q}&range=${range}`;
    every(POLL_MS, async () => {
      const r = await api(url);
      if (r.status !== 200) return;
      u.setData(r.body.data);
      const last = r.body.data.map((col) => col[col.length - 1]);
      const max = r.body.data.slice(1).map((col) => col.reduce((m, v) => (v !== null && v > m ? v : m), 0));
      window.ebbDashboard.charts[id] = { columns: r.body.columns, last, max, points: r.body.data[0].length };
    });
    return u;
  }

  // ---------------------------------------------------------------- lists
  // A paged table: only PAGE rows exist in the DOM whatever the list's size. With
  // opts.fetch(offset, limit, filter) → {items, total} the server pages (queues,
  // tasks: ?limit&offset&filter); otherwise set(list) pages a list in memory.
  function pagedTable(parent, columns, rowFn, opts = {}) {
    const body = h("tbody");
    const info = h("span", { className: "pageinfo" });
    let items = [];
    let page = 0;
    const prev = h("button", { type: "button", className: "prev", onclick: () => { page--; refresh(); } }, "‹ prev");
    const next = h("button", { type: "button", className: "next", onclick: () => { page++; refresh(); } }, "next ›");
    const filter = opts.filter ? h("input", { type: "search", placeholder: opts.filter, oninput: () => { page = 0; refresh(); } }) : null;
    const table = h("table", { className: "list" }, h("thead", null, h("tr", null, columns.map((c) => h("th", null, c)))), body);
    parent.appendChild(h("div", { className: "pager" }, filter, prev, next, info));
    parent.appendChild(table);
    function show(rows, total) {
      const pages = Math.max(1, Math.ceil(total / PAGE));
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
      info.textContent = total ? `${page * PAGE + 1}–${Math.min(total, page * PAGE + rows.length)} of ${total}` : "none";
      table.dataset.total = String(total);
      clear(body);
      for (const it of rows) body.appendChild(rowFn(it));
    }
    async function refresh() {
      const f = filter ? filter.value.trim() : "";
      if (opts.fetch) {
        const r = await opts.fetch(page * PAGE, PAGE, f);
        if (!r) return;
        if (page > 0 && page * PAGE >= r.total) { page = Math.max(0, Math.ceil(r.total / PAGE) - 1); return refresh(); }
        return show(r.items, r.total);
      }
      const fl = f.toLowerCase();
      const shown = fl ? items.filter((it) => opts.key(it).toLowerCase().includes(fl)) : items;
      page = Math.min(Math.max(0, page), Math.max(0, Math.ceil(shown.length / PAGE) - 1));
      show(shown.slice(page * PAGE, (page + 1) * PAGE), shown.length);
    }
    return { set(list) { items = list; refresh(); }, refresh };
  }
  // Fetcher for a server-paged list: path gets &limit&offset&filter appended.
  const serverList = (path) => async (offset, limit, filter) => {
    const sep = path.includes("?") ? "&" : "?";
    const r = await api(`${path}${sep}limit=${limit}&offset=${offset}${filter ? "&filter=" + enc(filter) : ""}`);
    if (r.status !== 200) return null;
    return { items: r.body.items, total: r.body.metadata ? r.body.metadata.total : r.body.items.length, body: r.body };
  };

  function kv(pairs) {
    return h("dl", { className: "kv" }, pairs.map(([k, v]) => [h("dt", null, k), h("dd", null, v instanceof Node ? v : fmt(v))]));
  }
  function card(title, value, sub, href) {
    const c = h("div", { className: "card" }, h("div", { className: "label" }, title),
      h("div", { className: "value" }, value), sub ? h("div", { className: "sub" }, sub) : null);
    return href ? h("a", { href, className: "cardlink" }, c) : c;
  }
  const note = (text, cls = "note") => h("p", { className: cls }, text);

  // ---------------------------------------------------------------- pages
  async function overview(main) {
    main.appendChild(h("h1", null, "Overview"));
    const cards = h("div", { className: "cards" });
    main.appendChild(cards);
    const charts = h("div", { className: "charts" });
    main.appendChild(charts);
    chart(charts, "overview-depth", "Messages (all queues)", [
      { name: "queue_visible", label: "visible", color: "#1f77b4" },
      { name: "queue_in_flight", label: "in flight", color: "#ff7f0e" }]);
    chart(charts, "overview-tasks", "Tasks (all services)", [
      { name: "service_desired", label: "desired", color: "#2ca02c", step: true, dash: [6, 4] },
      { name: "service_running", label: "running", color: "#d62728", step: true }]);
    chart(charts, "overview-rate", "Throughput per second", [
      { name: "queue_sent_per_second", label: "sent", color: "#9467bd" },
      { name: "queue_deleted_per_second", label: "deleted", color: "#8c564b" }]);
    const alarmsBox = h("section");
    main.appendChild(alarmsBox);
    main.appendChild(h("h2", null, "Queues"));
    const qt = pagedTable(main, ["queue", "visible", "in flight", "delayed", "oldest", "DLQ"], (q) => {
      const s = q.status || {};
      return h("tr", null, h("td", null, link(`#/queues/${enc(q.metadata.name)}`, q.metadata.name)),
        h("td", { className: "num" }, fmt(s.visible)), h("td", { className: "num" }, fmt(s.inFlight)),
        h("td", { className: "num" }, fmt(s.delayed)), h("td", { className: "num" }, `${fmt(s.oldestAgeSeconds)} s`),
        h("td", null, q.spec && q.spec.deadLetter ? link(`#/queues/${enc(q.spec.deadLetter.queue)}`, q.spec.deadLetter.queue) : ""));
    }, { filter: "filter queues", fetch: serverList("queues?sort=visible") });
    main.appendChild(h("h2", null, "Services"));
    const st = pagedTable(main, ["service", "desired", "running", "backlog", "last decision"], (s) => {
      const x = s.status || {};
      return h("tr", null, h("td", null, link(`#/services/${enc(s.metadata.name)}`, s.metadata.name)),
        h("td", { className: "num" }, fmt(x.desired)), h("td", { className: "num" }, fmt(x.running)),
        h("td", { className: "num" }, fmt(x.backlog)), h("td", null, x.lastReason || "–"));
    }, { filter: "filter services", key: (s) => s.metadata.name });

    every(POLL_MS, async () => {
      const [qs, ss, sch, cj, al, ts] = await Promise.all([api("queues?limit=1"), api("services"), api("schedules"),
        api("cronjobs"), api("alarms"), api("tasks?limit=1&filter=")]);
      window.ebbDashboard.polls++;
      if (qs.status !== 200) return setLive(false, qs.error);
      setLive(true, "live");
      const sum = qs.body.summary;
      const dlqs = sum.deadLetterQueuesWithMessages;
      const services = ss.status === 200 ? ss.body.items : [];
      const running = ts.status === 200 ? ts.body.metadata.total : 0;  // without all=true: unfinished tasks
      const scheds = (sch.status === 200 ? sch.body.items.length : 0) + (cj.status === 200 ? cj.body.items.length : 0);
      const alarms = al.status === 200 ? al.body.items : null;
      const firing = alarms ? alarms.filter((a) => (a.status || {}).state === "ALARM") : [];
      clear(cards).append(
        card("queues", fmt(sum.queues), `${fmt(sum.visible)} messages visible, ${fmt(sum.inFlight)} in flight`, "#/queues"),
        card("dead-letter queues", fmt(dlqs.length), dlqs.length ? `holding messages: ${dlqs.slice(0, 3).join(", ")}` : "all empty"),
        card("services", fmt(services.length), `${fmt(services.reduce((n, s) => n + (s.status.running || 0), 0))} tasks running`, "#/services"),
        card("tasks", fmt(running), "not finished", "#/tasks"),
        card("schedules", fmt(scheds), "CronJobs and Schedules", "#/batch"),
        card("alarms", alarms ? fmt(firing.length) : "–", alarms ? `${alarms.length} defined, ${firing.length} in ALARM` : "not available on this server", "#/alarms"));
      qt.refresh();
      st.set(services);
      clear(alarmsBox);
      if (firing.length) alarmsBox.appendChild(note(`In ALARM: ${firing.map((a) => a.metadata.name).join(", ")}`, "warn"));
    });
  }

  async function queuesPage(main) {
    main.appendChild(h("h1", null, "Queues"));
    const t = pagedTable(main, ["queue", "type", "visible", "in flight", "delayed", "oldest", "sent", "deleted"], (q) => {
      const s = q.status;
      return h("tr", null, h("td", null, link(`#/queues/${enc(q.metadata.name)}`, q.metadata.name)),
        h("td", null, q.spec.fifo ? "FIFO" : (s.deadLetterSources || []).length ? "DLQ" : "standard"),
        ...[s.visible, s.inFlight, s.delayed].map((v) => h("td", { className: "num" }, fmt(v))),
        h("td", { className: "num" }, `${fmt(s.oldestAgeSeconds)} s`),
        h("td", { className: "num" }, fmt(s.sent)), h("td", { className: "num" }, fmt(s.deleted)));
    }, { filter: "filter queues", fetch: serverList("queues?sort=name") });
    every(POLL_MS, () => t.refresh());
  }

  async function queuePage(main, name) {
    main.appendChild(h("h1", null, "Queue ", h("span", { className: "name" }, name)));
    const status = h("div");
    main.appendChild(status);
    const charts = h("div", { className: "charts" });
    main.appendChild(charts);
    chart(charts, "queue-depth", "Depth", [
      { name: "queue_visible", label: "visible", color: "#1f77b4" },
      { name: "queue_in_flight", label: "in flight", color: "#ff7f0e" },
      { name: "queue_delayed", label: "delayed", color: "#7f7f7f" }], { queue: name });
    chart(charts, "queue-age", "Age of oldest message (s)", [
      { name: "queue_oldest_age_seconds", label: "oldest", color: "#d62728" }], { queue: name });
    chart(charts, "queue-rate", "Per second", [
      { name: "queue_sent_per_second", label: "sent", color: "#9467bd" },
      { name: "queue_received_per_second", label: "received", color: "#17becf" },
      { name: "queue_deleted_per_second", label: "deleted", color: "#8c564b" }], { queue: name });
    const dlq = h("section", { className: "dlq" });
    main.appendChild(dlq);
    let built = false;
    every(POLL_MS, async () => {
      const r = await api(`queues/${enc(name)}`);
      if (r.status !== 200) { clear(status).appendChild(note(r.error, "error")); return; }
      const q = r.body, s = q.status;
      clear(status).appendChild(kv([
        ["type", q.spec.fifo ? "FIFO" : "standard"], ["visible", s.visible], ["in flight", s.inFlight],
        ["delayed", s.delayed], ["oldest", `${fmt(s.oldestAgeSeconds)} s`], ["sent", s.sent], ["received", s.received],
        ["deleted", s.deleted], ["visibility timeout", `${q.spec.visibilityTimeoutSeconds} s`],
        ["dead-letter queue", q.spec.deadLetter ? link(`#/queues/${enc(q.spec.deadLetter.queue)}`, `${q.spec.deadLetter.queue} (after ${q.spec.deadLetter.maxReceiveCount} receives)`) : "none"],
        ["dead letters from", (s.deadLetterSources || []).length ? h("span", null, s.deadLetterSources.map((a) => a.split(":").pop()).join(", ")) : "–"],
      ]));
      if (!built) { built = true; messagesPanel(dlq, name, (s.deadLetterSources || []).length > 0); }
    });
  }

  // Peek, purge and (for a DLQ) redrive with progress.
  function messagesPanel(box, name, isDlq) {
    box.appendChild(h("h2", null, isDlq ? "Dead-letter messages" : "Messages"));
    const out = h("div", { className: "messages" });
    const msg = h("p", { className: "note", id: "action-result" });
    const progress = h("div", { className: "progress", id: "redrive-progress" });
    const peek = async () => {
      const r = await api(`queues/${enc(name)}/peek?max=20`);
      clear(out);
      if (r.status !== 200) return out.appendChild(note(r.error, "error"));
      const ms = r.body.Messages || [];
      if (!ms.length) return out.appendChild(note("no visible messages"));
      for (const m of ms) {
        const a = m.Attributes || {};
        out.appendChild(h("div", { className: "message" },
          h("div", { className: "meta" }, `${m.MessageId} · received ${a.ApproximateReceiveCount || 0}× · sent ${ago(Number(a.SentTimestamp))}`),
          h("pre", { className: "body" }, m.Body)));  // attacker-controlled: text only
      }
    };
    const purge = async () => {
      if (!confirm(`Delete every message in ${name}?`)) return;
      const r = await api(`queues/${enc(name)}/purge`, { method: "POST", body: {} });
      msg.textContent = r.error || "purged";
      peek();
    };
    const redrive = async () => {
      const r = await api(`queues/${enc(name)}/redrive`, { method: "POST", body: {} });
      if (r.error) { msg.textContent = r.error; return; }
      msg.textContent = `redrive started: ${fmt(r.body.ApproximateNumberOfMessagesToMove)} to move`;
      watchRedrive();
    };
    const watchRedrive = () => every(1000, async () => {
      const r = await api(`queues/${enc(name)}/redrive`);
      if (r.status !== 200 || !(r.body.Results || []).length) return;
      const t = r.body.Results[0];
      const total = t.ApproximateNumberOfMessagesToMove || 0, moved = t.ApproximateNumberOfMessagesMoved || 0;
      const bar = h("progress", { max: Math.max(total, 1), value: moved });
      clear(progress).append(bar, ` ${t.Status}: ${fmt(moved)} of ${fmt(total)} moved`,
        t.FailureReason ? ` (${t.FailureReason})` : "");
      progress.dataset.status = t.Status;
      progress.dataset.moved = String(moved);
    });
    box.append(h("div", { className: "actions" },
      h("button", { type: "button", id: "peek", onclick: peek }, "Peek"),
      isDlq ? h("button", { type: "button", id: "redrive", onclick: redrive }, "Redrive to source") : null,
      h("button", { type: "button", id: "purge", className: "danger", onclick: purge }, "Purge")), msg, progress, out);
    peek();
    if (isDlq) watchRedrive();
  }

  async function servicesPage(main) {
    main.appendChild(h("h1", null, "Services"));
    const t = pagedTable(main, ["service", "queue", "desired", "running", "starting", "backlog/task", "target", "last decision"], (s) => {
      const x = s.status || {};
      const sc = (s.spec && s.spec.scaling) || {};
      return h("tr", null, h("td", null, link(`#/services/${enc(s.metadata.name)}`, s.metadata.name)),
        h("td", null, sc.queue || "–"),
        ...[x.desired, x.running, x.starting, x.backlogPerTask, x.target].map((v) => h("td", { className: "num" }, fmt(v))),
        h("td", null, x.lastReason || "–"));
    }, { filter: "filter services", key: (s) => s.metadata.name });
    every(POLL_MS, async () => {
      const r = await api("services");
      if (r.status === 200) t.set(r.body.items);
      else { t.set([]); }
    });
  }

  async function servicePage(main, name) {
    main.appendChild(h("h1", null, "Service ", h("span", { className: "name" }, name)));
    const status = h("div");
    main.appendChild(status);
    const charts = h("div", { className: "charts" });
    main.appendChild(charts);
    let decisionMarks = [];
    const tasksChart = chart(charts, "service-tasks", "Tasks: desired vs running (dotted: scaling decisions)", [
      { name: "service_desired", label: "desired", color: "#2ca02c", step: true, dash: [6, 4] },
      { name: "service_running", label: "running", color: "#d62728", step: true },
      { name: "service_backlog_per_task", label: "backlog per task", color: "#7f7f7f", axis: "y2" }], { service: name },
      "10m", () => decisionMarks);
    chart(charts, "service-backlog", "Backlog", [
      { name: "service_backlog", label: "backlog", color: "#1f77b4" }], { service: name });
    main.appendChild(h("h2", null, "Scaling decisions"));
    const decisions = pagedTable(main, ["time", "reason", "message"], (e) =>
      h("tr", { className: e.type === "Warning" ? "warnrow" : "" }, h("td", null, ago(e.timeMs || e.time)),
        h("td", null, e.reason), h("td", null, e.message)));
    main.appendChild(h("h2", null, "Tasks"));
    const tasks = taskTable(main, `tasks?owner=${enc("service/" + name)}&all=true`);
    every(POLL_MS, async () => {
      const [r, ev] = await Promise.all([api(`services/${enc(name)}`), api(`services/${enc(name)}/events`)]);
      tasks.refresh();
      if (r.status !== 200) { clear(status).appendChild(note(r.error, "error")); return; }
      const x = r.body.status, sc = r.body.spec.scaling || {};
      clear(status).appendChild(kv([["queue", sc.queue ? link(`#/queues/${enc(sc.queue)}`, sc.queue) : "–"],
        ["desired", x.desired], ["running", x.running], ["starting", x.starting], ["draining", x.draining],
        ["backlog", x.backlog], ["backlog per task", x.backlogPerTask], ["target", x.target],
        ["min / max", `${fmt(x.minTasks)} / ${fmt(x.maxTasks)}`], ["paused", x.paused ? "yes" : "no"],
        ["last decision", `${x.lastReason || "–"} ${x.lastScaleTime ? "(" + ago(x.lastScaleTime) + ")" : ""}`]]));
      if (ev.status === 200) {
        decisions.set(ev.body.items.slice().reverse());
        // Changes of the desired count, as marks on the chart (newest 50).
        decisionMarks = ev.body.items.filter((e) => e.inputs && e.inputs.newDesired !== e.inputs.oldDesired).slice(-50)
          .map((e) => ({ t: e.timeMs / 1000, label: `→${e.inputs.newDesired}`, color: e.reason === "ScaleIn" ? "#b54708" : "#2457c5" }));
        window.ebbDashboard.decisionMarks = decisionMarks.length;
        tasksChart.redraw(false, false);
      }
    });
  }

  function taskTable(parent, path) {
    return pagedTable(parent, ["task", "owner", "state", "started", "exit", "cpu s", "peak RSS"], (t) => {
      const s = t.status || {};
      return h("tr", null, h("td", null, link(`#/tasks/${enc(t.metadata.name)}`, t.metadata.name)),
        h("td", null, (t.spec && t.spec.owner) || "–"), h("td", { className: `state ${s.state}` }, s.state),
        h("td", null, ago(s.startedAt)), h("td", null, s.exitCode ?? (s.signal ? `signal ${s.signal}` : "–")),
        h("td", { className: "num" }, fmt(s.cpuSeconds)),
        h("td", { className: "num" }, s.peakRssBytes ? `${(s.peakRssBytes / 1048576).toFixed(1)} MiB` : "–"));
    }, { filter: "filter by name or owner", fetch: serverList(path) });
  }

  async function tasksPage(main) {
    main.appendChild(h("h1", null, "Tasks"));
    const charts = h("div", { className: "charts" });
    main.appendChild(charts);
    chart(charts, "tasks-running", "Tasks running (all owners)", [
      { name: "tasks_running", label: "running", color: "#d62728", step: true }]);
    const t = taskTable(main, "tasks?all=true");
    every(POLL_MS * 2, () => t.refresh());
  }

  async function taskPage(main, id) {
    main.appendChild(h("h1", null, "Task ", h("span", { className: "name" }, id)));
    const status = h("div");
    main.appendChild(status);
    main.appendChild(h("h2", null, "Log ", h("span", { className: "note", id: "log-state" }, "following")));
    const pre = h("pre", { className: "log", id: "log" });
    main.appendChild(pre);
    let cursor = null;
    let length = 0;
    every(POLL_MS, async () => {
      const r = await api(`tasks/${enc(id)}`);
      if (r.status !== 200) { clear(status).appendChild(note(r.error, "error")); return; }
      const s = r.body.status, sp = r.body.spec || {};
      clear(status).appendChild(kv([["owner", sp.owner], ["state", s.state], ["command", (sp.command || []).join(" ")],
        ["cpu / memory", `${sp.cpu || "–"} / ${sp.memory || "–"}`], ["started", ago(s.startedAt)], ["ended", ago(s.endedAt)],
        ["exit code", s.exitCode ?? "–"], ["reason", s.reason || "–"], ["message", s.message || "–"],
        ["cpu seconds", s.cpuSeconds], ["peak RSS", s.peakRssBytes ? `${(s.peakRssBytes / 1048576).toFixed(1)} MiB` : "–"]]));
    });
    every(1000, async () => {
      const body = cursor ? { target: `task/${id}`, cursor } : { target: `task/${id}`, tail: 500 };
      const r = await api("logs", { method: "POST", body });
      if (r.status !== 200) return;
      cursor = r.body.cursor;
      for (const c of r.body.chunks || []) {
        if (!c.data) continue;
        pre.appendChild(document.createTextNode(c.data));  // log lines are text, never markup
        length += c.data.length;
      }
      while (length > LOG_KEEP && pre.firstChild) {  // keep the DOM bounded
        length -= pre.firstChild.textContent.length;
        pre.removeChild(pre.firstChild);
      }
      if (r.body.chunks && r.body.chunks.length) pre.scrollTop = pre.scrollHeight;
    });
  }

  async function batchPage(main) {
    main.appendChild(h("h1", null, "Schedules, CronJobs and Jobs"));
    main.appendChild(h("h2", null, "Schedules and CronJobs"));
    const st = pagedTable(main, ["name", "kind", "schedule", "next run", "last run", "suspended"], (o) => {
      const s = o.status || {}, sp = o.spec || {};
      return h("tr", null, h("td", null, link(`#/batch/${enc(o.kind)}/${enc(o.metadata.name)}`, o.metadata.name)), h("td", null, o.kind),
        h("td", null, sp.schedule || sp.scheduleExpression || "–"), h("td", null, ago(s.nextScheduleTime)),
        h("td", null, ago(s.lastScheduleTime)), h("td", null, sp.suspend || sp.state === "DISABLED" ? "yes" : "no"));
    }, { filter: "filter", key: (o) => o.metadata.name });
    const runs = h("section");
    main.appendChild(runs);
    main.appendChild(h("h2", null, "Jobs"));
    const jt = pagedTable(main, ["job", "active", "succeeded", "failed", "started", "completed", "condition"], (j) => {
      const s = j.status || {};
      const cond = (s.conditions || []).map((c) => c.type).join(", ");
      return h("tr", null, h("td", null, j.metadata.name),
        ...[s.active, s.succeeded, s.failed].map((v) => h("td", { className: "num" }, fmt(v || 0))),
        h("td", null, ago(s.startTime)), h("td", null, ago(s.completionTime)), h("td", null, cond || "running"));
    }, { filter: "filter jobs", key: (j) => j.metadata.name });
    every(POLL_MS * 2, async () => {
      const [sc, cj, jobs] = await Promise.all([api("schedules"), api("cronjobs"), api("jobs")]);
      const items = [...(sc.status === 200 ? sc.body.items : []), ...(cj.status === 200 ? cj.body.items : [])];
      st.set(items);
      if (jobs.status === 200) jt.set(jobs.body.items.slice().reverse());
      clear(runs);
      const recent = [];
      for (const o of items) for (const r of (o.status && o.status.runs) || []) recent.push([o, r]);
      recent.sort((a, b) => String(b[1].slot).localeCompare(String(a[1].slot)));
      if (recent.length) {
        runs.appendChild(h("h2", null, "Recent runs (lateness = start − slot)"));
        runs.appendChild(h("table", { className: "list" },
          h("thead", null, h("tr", null, ["name", "slot", "started", "lateness", "outcome", "job / message"].map((c) => h("th", null, c)))),
          h("tbody", null, recent.slice(0, PAGE).map(([o, r]) => h("tr", null, h("td", null, o.metadata.name),
            h("td", null, r.slot), h("td", null, r.start || "–"),
            h("td", { className: "num" }, r.latenessMs === null || r.latenessMs === undefined ? "–" : `${r.latenessMs} ms`),
            h("td", { className: `state ${r.outcome}` }, r.outcome), h("td", null, r.job || r.messageId || r.error || ""))))));
      }
    });
  }

  async function batchObject(main, kind, name) {
    main.appendChild(h("h1", null, `${kind} `, h("span", { className: "name" }, name)));
    const path = kind === "CronJob" ? "cronjobs" : "schedules";
    const box = h("div");
    main.appendChild(box);
    every(POLL_MS * 2, async () => {
      const [r, ev] = await Promise.all([api(`${path}/${enc(name)}`), api(`${path}/${enc(name)}/events`)]);
      clear(box);
      if (r.status !== 200) return box.appendChild(note(r.error, "error"));
      const s = r.body.status || {};
      box.appendChild(kv([["schedule", r.body.spec.schedule || r.body.spec.scheduleExpression || "–"],
        ["next run", `${s.nextScheduleTime || "–"} (${ago(s.nextScheduleTime)})`], ["last run", s.lastScheduleTime || "–"]]));
      box.appendChild(h("h2", null, "Runs"));
      box.appendChild(h("table", { className: "list" },
        h("thead", null, h("tr", null, ["slot", "started", "lateness", "outcome", "job / message"].map((c) => h("th", null, c)))),
        h("tbody", null, (s.runs || []).slice(-PAGE).reverse().map((x) => h("tr", null, h("td", null, x.slot),
          h("td", null, x.start || "–"), h("td", { className: "num" }, x.latenessMs == null ? "–" : `${x.latenessMs} ms`),
          h("td", { className: `state ${x.outcome}` }, x.outcome), h("td", null, x.job || x.messageId || x.error || ""))))));
      if (ev.status === 200) {
        box.appendChild(h("h2", null, "Events"));
        box.appendChild(h("ul", { className: "events" }, ev.body.items.slice(-PAGE).reverse().map((e) =>
          h("li", null, `${ago(e.timeMs || e.time)} · ${e.reason}: ${e.message}`))));
      }
    });
  }

  async function alarmsPage(main) {
    main.appendChild(h("h1", null, "Alarms"));
    const box = h("div");
    main.appendChild(box);
    every(POLL_MS, async () => {
      const r = await api("alarms");
      clear(box);
      if (r.status === 404 || r.status === 503) return box.appendChild(note("Alarms are not available on this server."));
      if (r.status !== 200) return box.appendChild(note(r.error, "error"));
      if (!r.body.items.length) return box.appendChild(note("No alarms defined. Apply a kind: Alarm manifest (docs/alarms.md)."));
      for (const a of r.body.items.slice(0, PAGE)) {
        const s = a.status || {}, sp = a.spec || {};
        const hist = s.history || [];  // newest first
        const labels = Object.entries(sp.labels || {}).map(([k, v]) => `${k}=${v}`).join(",");
        box.appendChild(h("section", { className: `alarm ${s.state || ""}`, dataset: { alarm: a.metadata.name } },
          h("h2", null, a.metadata.name, " ", h("span", { className: `badge ${s.state || ""}` }, s.state || "–")),
          kv([["condition", `${sp.statistic || ""} of ${sp.metric || "?"}${labels ? "{" + labels + "}" : ""} ${sp.comparison || ""} ${sp.threshold ?? ""} ` +
                            `(${sp.evaluationPeriods || 1} × ${sp.periodSeconds || "?"} s)`],
              ["description", sp.description || "–"], ["reason", s.stateReason || "–"],
              ["since", `${s.stateTransitionTime || "–"} (${ago(s.stateTransitionTime)})`],
              ["pending notifications", (s.pendingNotifications || []).length]]),
          h("h3", null, "History"),
          hist.length ? h("ul", { className: "events history" }, hist.slice(0, 20).map((x) =>
            h("li", null, `${x.time || ""} (${ago(x.time)}) · ${x.summary || x.type || ""}${x.reason ? ": " + x.reason : ""}`))) :
            note("no state changes yet")));
      }
      if (r.body.items.length > PAGE) box.appendChild(note(`${r.body.items.length - PAGE} more not shown`));
    });
  }

  async function costPage(main) {
    main.appendChild(h("h1", null, "Cost"));
    const sel = h("select", { onchange: () => refresh() }, ["1d", "7d", "30d"].map((v) => h("option", { value: v }, v)));
    sel.value = "30d";
    main.appendChild(h("p", null, "Since ", sel));
    const box = h("div");
    main.appendChild(box);
    const usd = (v) => (typeof v === "number" ? `$${v < 1 ? v.toFixed(6) : v.toFixed(2)}` : "–");
    const refresh = async () => {
      const r = await api(`cost?since=${sel.value}`);
      clear(box);
      if (r.status === 404 || r.status === 503) return box.appendChild(note("Cost accounting is not available on this server."));
      if (r.status !== 200) return box.appendChild(note(r.error, "error"));
      const c = r.body, t = c.totals || {}, p = c.prices || {}, w = c.window || {};
      box.appendChild(h("div", { className: "cards" },
        card("Fargate price of this usage", usd(t.fargateUsd), `≈ ${usd(t.fargateUsdPerMonth)} per month at this rate`),
        card("always-on alternative", usd(t.alwaysOn && t.alwaysOn.usd), `${fmt(t.alwaysOn && t.alwaysOn.instances)} × ${p.instanceType || "instance"} 24×7 ≈ ${usd(t.alwaysOnUsdPerMonth)} per month`),
        card("saved by scaling to zero", usd(t.savingsUsd), t.savingsRatio !== undefined ? `${Math.round(t.savingsRatio * 100)} % of always-on` : ""),
        card("tasks", fmt(t.tasks), `${fmt(t.runningTasks)} running, ${fmt(t.failedTasks)} failed; peak ${fmt(t.peakConcurrency)} at once`),
        card("billed", `${fmt(t.billedSeconds)} s`, `${fmt(t.fargateVcpuSeconds)} vCPU-s, ${fmt(t.fargateGbSeconds)} GB-s (1 min minimum per task)`)));
      box.appendChild(h("p", { className: "note" }, `Window ${w.since || "?"} – ${w.until || "?"}. Prices (${p.table || "?"}): ` +
        `$${p.vcpuHourUsd} per vCPU-hour, $${p.gbHourUsd} per GB-hour; always-on ${p.instanceType || "?"} at $${p.instanceHourUsd} per hour.`));
      box.appendChild(h("h2", null, "By owner"));
      const items = c.items || [];
      box.appendChild(h("table", { className: "list" },
        h("thead", null, h("tr", null, ["owner", "tasks", "run s", "billed s", "Fargate", "always-on", "peak at once", "CPU used", "advice"].map((x) => h("th", null, x)))),
        h("tbody", null, items.slice(0, PAGE).map((o) => h("tr", null,
          h("td", null, `${o.kind}/${o.name}`), h("td", { className: "num" }, fmt(o.tasks)),
          h("td", { className: "num" }, fmt(o.runSeconds)), h("td", { className: "num" }, fmt(o.billedSeconds)),
          h("td", { className: "num" }, usd(o.fargateUsd)), h("td", { className: "num" }, usd(o.alwaysOn && o.alwaysOn.usd)),
          h("td", { className: "num" }, fmt(o.peakConcurrency)),
          h("td", { className: "num" }, o.usedAverageVcpu !== undefined ? `${fmt(o.usedAverageVcpu)} vCPU` : "–"),
          h("td", null, (o.advice || []).join("; ") || "–"))))));
      if (items.length > PAGE) box.appendChild(note(`${items.length - PAGE} more owners not shown`));
    };
    every(POLL_MS * 5, refresh);
  }

  // ---------------------------------------------------------------- routing
  const NAV = [["#/", "Overview"], ["#/queues", "Queues"], ["#/services", "Services"], ["#/tasks", "Tasks"],
    ["#/batch", "Schedules & Jobs"], ["#/alarms", "Alarms"], ["#/cost", "Cost"]];

  function route() {
    state.seq++;
    for (const t of state.timers) clearInterval(t);
    for (const c of state.charts) c.destroy();
    state.timers = [];
    state.charts = [];
    window.ebbDashboard.charts = {};
    const hash = location.hash || "#/";
    window.ebbDashboard.route = hash;
    const parts = hash.slice(2).split("/").map((p) => { try { return decodeURIComponent(p); } catch (e) { return p; } });
    const nav = clear(document.getElementById("nav"));
    for (const [href, text] of NAV)
      nav.appendChild(h("a", { href, className: (href === "#/" ? hash === "#/" : hash.startsWith(href)) ? "active" : "" }, text));
    if (session.auth === "sigv4") {
      const out = h("a", { href: "#", id: "logout", title: `logged in with a ${session.scope} token` }, "Log out");
      out.addEventListener("click", (ev) => { ev.preventDefault(); logout(); });
      nav.appendChild(out);
    }
    const main = clear(document.getElementById("main"));
    const [a, b, c] = parts;
    if (!a) return overview(main);
    if (a === "queues") return b ? queuePage(main, b) : queuesPage(main);
    if (a === "services") return b ? servicePage(main, b) : servicesPage(main);
    if (a === "tasks") return b ? taskPage(main, b) : tasksPage(main);
    if (a === "batch") return b && c ? batchObject(main, b, c) : batchPage(main);
    if (a === "alarms") return alarmsPage(main);
    if (a === "cost") return costPage(main);
    main.appendChild(note(`No page ${hash}`, "error"));
  }

  window.addEventListener("hashchange", () => { if (!document.getElementById("login") || session.csrf) route(); });
  (async () => {
    const r = await ui("/ui/session", "GET");
    if (r.body && r.body.insecureRemote) insecureBanner();
    if (r.status === 200 && r.body) {
      session.auth = r.body.auth || "none";
      session.csrf = r.body.csrf || "";
      session.scope = r.body.scope || "";
      return route();
    }
    if (r.status === 401) return showLogin("");
    route();  // an older ebbd without /ui/session: the API answers for itself
  })();
})();
