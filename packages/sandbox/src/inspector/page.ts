// The inspector page: one HTML document, its CSS and script inline (the sandbox serves no other asset and
// fetches nothing from elsewhere). The script builds every node with createElement and textContent: no data
// ever goes through innerHTML, so nothing a request carries can become markup.
import { hostileModes } from '../admin/hostile.ts';
import { refundOutcomes } from '../admin/refund-outcome.ts';
import { signatureModes } from '../v3/signature.ts';

const style = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5d6576; --line: #d9dde5; --bg: #f5f6f8; --card: #fff;
  --ok: #137a3f; --ok-bg: #e3f4ea; --bad: #b3261e; --bad-bg: #fbe7e6; --warn: #8a5a00; --warn-bg: #fff3d6;
  --accent: #1d5fd1; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #1d2330; color: #fff; }
header h1 { font-size: 16px; margin: 0; font-weight: 600; }
header .url { font-family: var(--mono); color: #c9d3e6; }
header .spacer { flex: 1; }
.live { padding: 2px 10px; border-radius: 999px; font-size: 12px; background: #3a4255; }
.live[data-state="live"] { background: var(--ok); }
.live[data-state="offline"] { background: var(--bad); }
main { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 16px; padding: 16px 20px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin-bottom: 16px; }
section.card > h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
  margin: 0; padding: 10px 14px; border-bottom: 1px solid var(--line); display: flex; gap: 8px; align-items: center; }
section.card > h2 .count { font-weight: 400; text-transform: none; }
section.card > h2 button { margin-left: auto; }
.body { padding: 10px 14px; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.mono, .mono { font-family: var(--mono); font-size: 12px; word-break: break-all; }
.empty { color: var(--muted); padding: 12px 14px; }
#log tr.entry { cursor: pointer; }
#log tr.entry:hover { background: #f0f4fb; }
#log tr.entry[aria-expanded="true"] { background: #eef3fc; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.accepted, .badge.acknowledged { color: var(--ok); background: var(--ok-bg); }
.badge.refused, .badge.not-acknowledged { color: var(--bad); background: var(--bad-bg); }
.badge.pending, .badge.hostile { color: var(--warn); background: var(--warn-bg); }
.badge.kind { color: #fff; background: #5b6478; }
.badge.kind.notice { background: var(--accent); }
.why { margin-top: 4px; color: var(--bad); font-size: 12px; }
tr.detail td { background: #fafbfd; }
.detail-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
tr.detail h3 { font-size: 12px; margin: 6px 0 4px; color: var(--muted); text-transform: uppercase; }
td.time { white-space: nowrap; }
pre { margin: 0; padding: 8px; background: #f2f4f8; border: 1px solid var(--line); border-radius: 4px;
  font: 12px/1.4 var(--mono); white-space: pre-wrap; word-break: break-all; max-height: 260px; overflow: auto; }
dl.why-box { display: grid; grid-template-columns: 90px 1fr; gap: 2px 10px; margin: 0 0 8px; padding: 8px 10px;
  border-left: 3px solid var(--bad); background: var(--bad-bg); }
dl.why-box dt { font-weight: 600; color: var(--bad); }
dl.why-box dd { margin: 0; font-family: var(--mono); font-size: 12px; word-break: break-all; }
form { display: grid; gap: 8px; }
label { display: grid; gap: 2px; font-size: 12px; color: var(--muted); }
input, select { width: 100%; min-width: 0; }
input, select, button { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; background: #fff; color: var(--fg); }
button { cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); font-weight: 600; }
button.secondary { background: #fff; color: var(--fg); border-color: var(--line); font-weight: 400; }
.row { display: grid; grid-template-columns: 1fr 80px; gap: 8px; }
.result { font-size: 12px; padding: 6px 8px; border-radius: 4px; background: #f2f4f8; white-space: pre-wrap; word-break: break-all; }
.result:empty { display: none; }
.result.ok { background: var(--ok-bg); }
.result.bad { background: var(--bad-bg); }
.kv { display: grid; grid-template-columns: 120px 1fr; gap: 2px 8px; font-size: 12px; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; font-family: var(--mono); word-break: break-all; }
.state-tables h3 { font-size: 12px; margin: 12px 14px 4px; color: var(--muted); text-transform: uppercase; }
`;

const script = `
'use strict';
var entries = new Map();
var order = [];
var capacity = 500;
var expanded = new Set();

function el(tag, props) {
  var node = document.createElement(tag);
  if (props) {
    for (var key in props) {
      if (key === 'text') node.textContent = props[key];
      else if (key === 'className') node.className = props[key];
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), props[key]);
      else node.setAttribute(key, props[key]);
    }
  }
  for (var i = 2; i < arguments.length; i++) {
    var child = arguments[i];
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return node;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function time(ms) { var d = new Date(ms); return d.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0'); }
function badge(text, cls) { return el('span', { className: 'badge ' + cls, text: text }); }
function pre(text, testid) { return el('pre', testid ? { 'data-testid': testid } : null, text === '' ? '(empty)' : text); }
function headersText(headers) { return Object.keys(headers || {}).map(function (k) { return k + ': ' + headers[k]; }).join('\\n'); }
function pretty(text) {
  var t = (text || '').trim();
  if (t[0] === '{' || t[0] === '[') { try { return JSON.stringify(JSON.parse(t), null, 2); } catch (e) {} }
  return text || '';
}

function whyBox(why) {
  return el('dl', { className: 'why-box', 'data-testid': 'why' },
    el('dt', { text: 'stopped at' }), el('dd', { text: why.stage }),
    el('dt', { text: 'where' }), el('dd', { text: why.name }),
    el('dt', { text: 'expected' }), el('dd', { text: why.expected }),
    el('dt', { text: 'received' }), el('dd', { text: why.received === '' ? '(empty)' : why.received }));
}

function summaryCells(entry) {
  if (entry.kind === 'request') {
    var verdict = el('div', null, badge(entry.outcome, entry.outcome));
    if (entry.answer.hostile) verdict.appendChild(document.createTextNode(' ')), verdict.appendChild(badge('hostile: ' + entry.answer.hostile, 'hostile'));
    if (entry.why) verdict.appendChild(el('div', { className: 'why' }, entry.why.stage + ' · ' + entry.why.name));
    return [
      el('td', { className: 'mono time', text: time(entry.at) }),
      el('td', null, badge(entry.protocol === 'other' ? 'http' : 'API' + entry.protocol, 'kind')),
      el('td', { className: 'mono' }, entry.method + ' ' + entry.path),
      el('td', { className: 'mono', text: entry.merchant || '—' }),
      el('td', { 'data-testid': 'verdict' }, verdict),
      el('td', { className: 'mono', 'data-testid': 'answer' }, String(entry.answer.status) + ' ' + entry.answer.note),
    ];
  }
  var last = entry.attempts[entry.attempts.length - 1];
  var answer = last ? (last.error ? 'unreachable: ' + last.error : 'HTTP ' + last.status + (last.body ? ' ' + last.body.slice(0, 80) : '')) : 'sending…';
  var status = el('div', null, badge(entry.status, entry.status.replace(' ', '-')));
  if (entry.hostile) status.appendChild(document.createTextNode(' ')), status.appendChild(badge('hostile: ' + entry.hostile, 'hostile'));
  if (entry.attempts.length > 1) status.appendChild(el('div', { className: 'why', text: entry.attempts.length + ' attempts' }));
  return [
    el('td', { className: 'mono time', text: time(entry.at) }),
    el('td', null, badge('notice', 'kind notice')),
    el('td', { className: 'mono' }, entry.event + ' → ' + entry.url),
    el('td', { className: 'mono', text: entry.merchant }),
    el('td', { 'data-testid': 'verdict' }, status),
    el('td', { className: 'mono', 'data-testid': 'answer' }, answer),
  ];
}

function detail(entry) {
  var box = el('div');
  if (entry.kind === 'request') {
    if (entry.why) box.appendChild(whyBox(entry.why));
    box.appendChild(el('div', { className: 'detail-grid' },
      el('div', null, el('h3', { text: 'request headers' }), pre(headersText(entry.headers)),
        el('h3', { text: 'request body' }), pre(pretty(entry.body))),
      el('div', null, el('h3', { text: 'answer ' + entry.answer.status + ' (' + entry.ms + ' ms)' }), pre(headersText(entry.answer.headers)),
        el('h3', { text: 'answer body' }), pre(pretty(entry.answer.body), 'answer-body'))));
    return box;
  }
  var attempts = el('table', null, el('tr', null, el('th', { text: '#' }), el('th', { text: 'time' }), el('th', { text: 'receiver answered' }), el('th', { text: 'ms' })));
  entry.attempts.forEach(function (a, i) {
    attempts.appendChild(el('tr', null, el('td', { text: String(i + 1) }), el('td', { className: 'mono', text: time(a.at) }),
      el('td', { className: 'mono', 'data-testid': 'receiver-reply' }, a.error ? 'unreachable: ' + a.error : 'HTTP ' + a.status + '\\n' + pretty(a.body)), el('td', { text: String(a.ms) })));
  });
  box.appendChild(el('h3', { text: 'attempts' }));
  box.appendChild(attempts);
  box.appendChild(el('div', { className: 'detail-grid' },
    el('div', null, el('h3', { text: 'headers sent' }), pre(headersText(entry.headers)), el('h3', { text: 'body sent' }), pre(pretty(entry.body))),
    el('div', null, el('h3', { text: 'resource (before encryption)' }), pre(entry.plaintext ? pretty(entry.plaintext) : '(APIv2: the body is the notice)'))));
  return box;
}

function renderLog() {
  var table = document.getElementById('log-rows');
  clear(table);
  var shown = order.slice().reverse();
  document.getElementById('log-count').textContent = order.length + ' of the last ' + capacity;
  document.getElementById('log-empty').hidden = shown.length > 0;
  shown.forEach(function (id) {
    var entry = entries.get(id);
    var open = expanded.has(id);
    var row = el('tr', { className: 'entry', 'data-testid': 'entry', 'data-kind': entry.kind, 'data-id': String(id), 'aria-expanded': String(open), tabindex: '0',
      onclick: function () { if (expanded.has(id)) expanded.delete(id); else expanded.add(id); renderLog(); } });
    summaryCells(entry).forEach(function (cell) { row.appendChild(cell); });
    table.appendChild(row);
    if (open) table.appendChild(el('tr', { className: 'detail' }, el('td', { colspan: '6' }, detail(entry))));
  });
}

function upsert(entry) {
  if (!entries.has(entry.id)) {
    order.push(entry.id);
    while (order.length > capacity) { var gone = order.shift(); entries.delete(gone); expanded.delete(gone); }
  }
  entries.set(entry.id, entry);
}

function table(title, columns, rows, testid) {
  var wrap = el('div', { 'data-testid': testid });
  wrap.appendChild(el('h3', { text: title + ' (' + rows.length + ')' }));
  if (rows.length === 0) { wrap.appendChild(el('div', { className: 'empty', text: 'none yet' })); return wrap; }
  var t = el('table');
  var head = el('tr');
  columns.forEach(function (c) { head.appendChild(el('th', { text: c[1] })); });
  t.appendChild(head);
  rows.forEach(function (r) {
    var tr = el('tr');
    columns.forEach(function (c) { var v = r[c[0]]; tr.appendChild(el('td', { className: 'mono', text: v === undefined || v === null ? '—' : String(v) })); });
    t.appendChild(tr);
  });
  wrap.appendChild(t);
  return wrap;
}

function stamp(seconds) { return seconds ? new Date(seconds * 1000).toLocaleString(undefined, { hour12: false }) : undefined; }

function renderState(s) {
  var keys = document.getElementById('keys');
  clear(keys);
  keys.appendChild(el('dt', { text: 'key mode' })); keys.appendChild(el('dd', { text: s.keys.mode, 'data-testid': 'key-mode' }));
  keys.appendChild(el('dt', { text: 'signing with' })); keys.appendChild(el('dd', { text: s.keys.signingWith, 'data-testid': 'signing-key' }));
  keys.appendChild(el('dt', { text: 'public key' })); keys.appendChild(el('dd', { text: s.keys.publicKeyId }));
  keys.appendChild(el('dt', { text: 'certificates' })); keys.appendChild(el('dd', { text: s.keys.certificates.map(function (c) { return c.serialNo; }).join(', '), 'data-testid': 'certificates' }));
  keys.appendChild(el('dt', { text: 'refund outcomes' })); keys.appendChild(el('dd', { 'data-testid': 'refund-outcome-queue', text: s.refundOutcomes.length ? s.refundOutcomes.map(function (o) { return o.status + ' ×' + o.remaining; }).join(', ') : 'none (SUCCESS)' }));
  keys.appendChild(el('dt', { text: 'hostile queue' })); keys.appendChild(el('dd', { 'data-testid': 'hostile-queue', text: s.hostile.length ? s.hostile.map(function (h) { return h.mode + ' ×' + h.remaining; }).join(', ') : 'none' }));
  var merchants = document.getElementById('merchant');
  if (merchants.options.length === 0) {
    s.merchants.forEach(function (m) { merchants.appendChild(el('option', { value: m.mchId, text: m.mchId + ' (' + m.kind + ')' })); });
  }
  var box = document.getElementById('state');
  clear(box);
  box.appendChild(table('停车缴费 stays', [['out_serial_number', 'out_serial_number'], ['serial_number', 'serial_number'], ['plate_number', 'plate'], ['parking_id', 'parking_id'], ['entered', 'entered'], ['exited', 'exited'], ['paid_amount', 'paid (fen)']],
    s.stays.map(function (x) { return Object.assign({}, x, { entered: stamp(x.enter_timestamp), exited: stamp(x.exit_timestamp) }); }), 'stays'));
  box.appendChild(table('Plates (车主)', [['plate_number', 'plate'], ['openid', 'openid'], ['user_state', 'user_state'], ['deduct_mode', 'deduct_mode'], ['notify_url', 'plate-state notify_url']], s.plates, 'plates'));
  box.appendChild(table('Orders', [['api', 'api'], ['mchid', 'mchid'], ['out_trade_no', 'out_trade_no'], ['amount', 'fen'], ['trade_state', 'trade_state'], ['notice', 'notice']], s.orders, 'orders'));
  box.appendChild(table('Refunds', [['api', 'api'], ['mchid', 'mchid'], ['out_refund_no', 'out_refund_no'], ['out_trade_no', 'out_trade_no'], ['amount', 'fen'], ['status', 'status'], ['notice', 'notice']], s.refunds, 'refunds'));
  box.appendChild(table('支付分停车 entries', [['parking_id', 'parking_id'], ['out_parking_no', 'out_parking_no'], ['plate_number', 'plate'], ['state', 'state'], ['block_reason', 'block_reason']], s.scoreParkings, 'score-parkings'));
  box.appendChild(table('商圈 parking states', [['brandid', 'brandid'], ['openid', 'openid'], ['plate_number', 'plate'], ['state', 'state'], ['time', 'time']], s.mallParkings, 'mall-parkings'));
}

function show(id, text, ok) {
  var node = document.getElementById(id);
  node.textContent = text;
  node.className = 'result ' + (ok ? 'ok' : 'bad');
}

function post(method, path, body) {
  return fetch(path, { method: method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    .then(function (r) { return r.text().then(function (t) { var v; try { v = t ? JSON.parse(t) : {}; } catch (e) { v = { error: t }; } return { status: r.status, value: v }; }); });
}

document.getElementById('notice-form').addEventListener('submit', function (event) {
  event.preventDefault();
  var form = event.target;
  var body = { kind: form.kind.value, url: form.url.value, mchId: form.merchant.value, retries: Number(form.retries.value || 0) };
  if (form.hostile.value) body.hostile = form.hostile.value;
  show('notice-result', 'sending…', true);
  post('POST', '/inspector/notices', body).then(function (r) {
    if (r.status === 200) show('notice-result', 'receiver answered HTTP ' + r.value.status + (r.value.body ? ': ' + r.value.body : ' (empty body)'), r.value.status < 300);
    else show('notice-result', r.value.error || ('HTTP ' + r.status), false);
  });
});
document.getElementById('hostile-form').addEventListener('submit', function (event) {
  event.preventDefault();
  var form = event.target;
  post('POST', '/__sandbox/hostile', { mode: form.mode.value, count: Number(form.count.value || 1) }).then(function (r) {
    show('hostile-result', r.status === 204 ? 'armed: the next ' + (form.count.value || 1) + ' API answer(s) will be ' + form.mode.value : (r.value.error || 'HTTP ' + r.status), r.status === 204);
  });
});
document.getElementById('refund-outcome-form').addEventListener('submit', function (event) {
  event.preventDefault();
  var form = event.target;
  post('POST', '/__sandbox/refund-outcome', { status: form.outcome.value, count: Number(form.count.value || 1) }).then(function (r) {
    show('refund-outcome-result', r.status === 204 ? 'set: the next ' + (form.count.value || 1) + ' refund(s) end ' + form.outcome.value + ' (APIv2: ' + ({ ABNORMAL: 'CHANGE', CLOSED: 'REFUNDCLOSE' }[form.outcome.value] || form.outcome.value) + ')' : (r.value.error || 'HTTP ' + r.status), r.status === 204);
  });
});
document.getElementById('rotate').addEventListener('click', function () {
  post('POST', '/__sandbox/v3/platform-certificates').then(function (r) {
    show('rotate-result', r.status === 200 ? 'new platform certificate ' + r.value.serialNo + ' (signs certificate-mode answers from now on)' : (r.value.error || 'HTTP ' + r.status), r.status === 200);
  });
});
document.getElementById('clear-log').addEventListener('click', function () { post('DELETE', '/inspector/entries'); });

var live = document.getElementById('live');
function connect() {
  var source = new EventSource('/inspector/events');
  source.addEventListener('open', function () { live.textContent = 'live'; live.setAttribute('data-state', 'live'); });
  source.addEventListener('error', function () { live.textContent = 'reconnecting…'; live.setAttribute('data-state', 'offline'); });
  source.addEventListener('hello', function (e) { capacity = JSON.parse(e.data).capacity; entries.clear(); order = []; });
  source.addEventListener('entry', function (e) { upsert(JSON.parse(e.data)); scheduleLog(); });
  source.addEventListener('clear', function () { entries.clear(); order = []; expanded.clear(); renderLog(); });
  source.addEventListener('state', function (e) { renderState(JSON.parse(e.data)); });
}
var pending = false;
function scheduleLog() { if (pending) return; pending = true; requestAnimationFrame(function () { pending = false; renderLog(); }); }
document.getElementById('url').textContent = location.origin;
document.querySelector('#notice-form [name=url]').value = location.origin.replace(/:\\d+$/, '') + ':8080/wxpay/notify';
renderLog();
connect();
`;

const noticeKinds: [string, string][] = [
  ['plate-state', '车牌状态变更通知 (APIv2, plate BLOCKED)'],
  ['payment', 'TRANSACTION.SUCCESS (支付分停车扣费)'],
  ['fee-query', 'PARKING_FEE.QUERY_TRANS_INFO (停车费查询)'],
  ['business-circle', 'MALL_TRANSACTION.SUCCESS (商圈支付)'],
];

const options = (values: [string, string][]) =>
  values.map(([value, label]) => `<option value="${value}">${label}</option>`).join('');

/** The page, with `nonce` on its inline script and style (the Content-Security-Policy allows only those). */
export function inspectorPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wxpark sandbox · inspector</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${style}</style>
</head>
<body>
<header>
  <h1>wxpark sandbox · inspector</h1>
  <span class="url" id="url"></span>
  <span class="spacer"></span>
  <span class="live" id="live" data-state="connecting" data-testid="live">connecting…</span>
</header>
<main>
  <div>
    <section class="card">
      <h2>Requests and notices <span class="count" id="log-count"></span>
        <button type="button" class="secondary" id="clear-log">Clear</button></h2>
      <table id="log">
        <thead><tr><th>time</th><th>kind</th><th>request / notice</th><th>merchant</th><th>verdict</th><th>answer</th></tr></thead>
        <tbody id="log-rows"></tbody>
      </table>
      <div class="empty" id="log-empty">Nothing yet: call an API of this sandbox, or send a notice on the right. Click a row for its headers, bodies and, when refused, exactly why.</div>
    </section>
    <section class="card state-tables">
      <h2>State</h2>
      <div id="state"></div>
    </section>
  </div>
  <aside>
    <section class="card">
      <h2>Send a notice</h2>
      <div class="body">
        <form id="notice-form" data-testid="notice-form">
          <label>notice<select name="kind">${options(noticeKinds)}</select></label>
          <label>receiver URL<input name="url" type="url" required></label>
          <label>merchant<select name="merchant" id="merchant"></select></label>
          <div class="row">
            <label>signature (APIv3)<select name="hostile"><option value="">genuine</option>${options(
              signatureModes.map((m) => [m, m]),
            )}</select></label>
            <label>retries<input name="retries" type="number" min="0" max="5" value="0"></label>
          </div>
          <button type="submit" data-testid="send-notice">Send notice</button>
          <div class="result" id="notice-result" data-testid="notice-result"></div>
        </form>
      </div>
    </section>
    <section class="card">
      <h2>Hostile answers</h2>
      <div class="body">
        <form id="hostile-form">
          <div class="row">
            <label>mode<select name="mode">${options(hostileModes.map((m) => [m, m]))}</select></label>
            <label>count<input name="count" type="number" min="1" value="1"></label>
          </div>
          <button type="submit" data-testid="arm-hostile">Arm for the next answer</button>
          <div class="result" id="hostile-result"></div>
        </form>
      </div>
    </section>
    <section class="card">
      <h2>Refund outcomes</h2>
      <div class="body">
        <form id="refund-outcome-form">
          <div class="row">
            <label>next refunds end<select name="outcome">${options(refundOutcomes.map((s) => [s, s]))}</select></label>
            <label>count<input name="count" type="number" min="1" value="1"></label>
          </div>
          <button type="submit" data-testid="arm-refund-outcome">Set for the next refunds</button>
          <div class="result" id="refund-outcome-result" data-testid="refund-outcome-result"></div>
        </form>
      </div>
    </section>
    <section class="card">
      <h2>WeChat Pay keys</h2>
      <div class="body">
        <dl class="kv" id="keys"></dl>
        <p><button type="button" id="rotate" data-testid="rotate">Rotate the platform certificate</button></p>
        <div class="result" id="rotate-result" data-testid="rotate-result"></div>
      </div>
    </section>
  </aside>
</main>
<script nonce="${nonce}">${script}</script>
</body>
</html>
`;
}
