// Meridian's web console: a page of the management listener that uses the REST API only
// (/api/v1/), with the credentials the operator typed, kept for this tab (sessionStorage).
'use strict';

const API = '/api/v1';
const VIEWS = ['overview', 'clients', 'retained', 'plugins', 'bans'];
const history = { connections: [], received: [], sent: [] };
let last = null;
let poller = null;

const $ = (id) => document.getElementById(id);

function say(text) {
  $('message').textContent = text || '';
}

async function api(method, path, body) {
  const headers = { 'X-Requested-With': 'meridian-console' };
  const auth = sessionStorage.getItem('meridian.auth');
  if (auth) {
    headers.Authorization = auth;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 401) {
    sessionStorage.removeItem('meridian.auth');
    show('login');
    throw new Error('log in first');
  }
  if (!r.ok) {
    let detail = r.statusText;
    try {
      detail = (await r.json()).detail || detail;
    } catch (ignored) {
      // not a problem document
    }
    throw new Error(detail);
  }
  return r.status === 204 ? null : r.json();
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '-' : String(text);
  row.appendChild(td);
  return td;
}

function button(row, label, id, action) {
  const td = document.createElement('td');
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.id = id;
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    action().catch((err) => say(err.message));
  });
  td.appendChild(b);
  row.appendChild(td);
}

function tbody(tableId) {
  const body = $(tableId).querySelector('tbody');
  body.textContent = '';
  return body;
}

function show(view) {
  for (const v of ['login', ...VIEWS]) {
    $(v).hidden = v !== view;
  }
  $('nav').hidden = view === 'login';
  for (const v of VIEWS) {
    $('nav-' + v).classList.toggle('active', v === view);
  }
  if (poller) {
    clearInterval(poller);
    poller = null;
  }
  if (view === 'overview') {
    overview();
    poller = setInterval(overview, 2000);
  } else if (view !== 'login') {
    const load = { clients, retained, plugins, bans }[view];
    load().catch((e) => say(e.message));
  }
}

function route() {
  const view = location.hash.replace('#', '');
  if (!sessionStorage.getItem('meridian.auth')) {
    show('login');
  } else {
    show(VIEWS.includes(view) ? view : 'overview');
  }
}

// ---- overview: tiles and two live charts ----

async function overview() {
  try {
    const s = await api('GET', '/stats');
    const now = Date.now();
    $('tile-connections').textContent = s.connections;
    $('tile-sessions').textContent = s.sessionsOnline + ' / ' + s.sessionsOffline;
    $('tile-subscriptions').textContent = s.subscriptions;
    $('tile-retained').textContent = s.retainedMessages;
    $('tile-queued').textContent = s.queuedMessages + ' / ' + s.inflightMessages;
    $('tile-dropped').textContent = s.messagesDropped;
    if (last) {
      const seconds = Math.max(0.001, (now - last.at) / 1000);
      const inRate = (s.messagesReceived - last.received) / seconds;
      const outRate = (s.messagesSent - last.sent) / seconds;
      $('tile-in').textContent = inRate.toFixed(1);
      $('tile-out').textContent = outRate.toFixed(1);
      push(history.received, inRate);
      push(history.sent, outRate);
    }
    push(history.connections, s.connections);
    last = { at: now, received: s.messagesReceived, sent: s.messagesSent };
    chart('chart-connections', [history.connections], ['#3366cc']);
    chart('chart-rates', [history.received, history.sent], ['#2a9d4a', '#cc6633']);
  } catch (e) {
    say(e.message);
  }
}

function push(series, value) {
  series.push(value);
  if (series.length > 90) {
    series.shift();
  }
}

function chart(id, series, colors) {
  const c = $(id);
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const max = Math.max(1, ...series.flat());
  g.fillStyle = '#56607a';
  g.font = '12px sans-serif';
  g.fillText(max.toFixed(max < 10 ? 1 : 0), 4, 12);
  series.forEach((points, i) => {
    g.strokeStyle = colors[i];
    g.lineWidth = 2;
    g.beginPath();
    points.forEach((v, x) => {
      const px = (x / 89) * (c.width - 10) + 5;
      const py = c.height - 5 - (v / max) * (c.height - 20);
      if (x === 0) {
        g.moveTo(px, py);
      } else {
        g.lineTo(px, py);
      }
    });
    g.stroke();
  });
}

// ---- clients: search, details, kick ----

async function clients() {
  const q = $('client-search').value.trim();
  const page = await api('GET', '/clients?size=200' + (q ? '&q=' + encodeURIComponent(q) : ''));
  const body = tbody('clients-table');
  for (const c of page.items) {
    const row = body.insertRow();
    row.className = 'clickable';
    row.dataset.client = c.clientId;
    cell(row, c.clientId);
    cell(row, c.username);
    cell(row, c.address + ':' + c.port);
    cell(row, c.listener);
    cell(row, c.protocol);
    row.addEventListener('click', () => client(c.clientId).catch((e) => say(e.message)));
  }
  say(page.total + ' client(s)');
}

async function client(id) {
  const c = await api('GET', '/clients/' + encodeURIComponent(id));
  $('client-detail').hidden = false;
  $('client-detail-id').textContent = c.clientId;
  $('client-detail-info').textContent = 'user ' + (c.username || '-') + ', ' + c.address + ':' + c.port
      + ', listener ' + c.listener + ', MQTT ' + c.protocol;
  const body = tbody('client-subscriptions');
  for (const [filter, qos] of Object.entries(c.subscriptions)) {
    const row = body.insertRow();
    cell(row, filter);
    cell(row, qos);
  }
  $('kick').onclick = async () => {
    try {
      await api('DELETE', '/clients/' + encodeURIComponent(id) + '?reason=' + encodeURIComponent('kicked from the console'));
      $('client-detail').hidden = true;
      say('Client ' + id + ' disconnected');
      await clients();
      say('Client ' + id + ' disconnected');
    } catch (e) {
      say(e.message);
    }
  };
}

// ---- retained messages ----

async function retained() {
  const filter = $('retained-filter').value.trim() || '#';
  const items = await api('GET', '/retained?limit=500&filter=' + encodeURIComponent(filter));
  const body = tbody('retained-table');
  items.forEach((m, i) => {
    const row = body.insertRow();
    cell(row, m.topic);
    cell(row, m.qos);
    cell(row, m.bytes);
    cell(row, m.payload === null ? '(binary)' : m.payload);
    button(row, 'Clear', 'clear-' + i, async () => {
      await api('DELETE', '/retained/' + encodeURIComponent(m.topic));
      await retained();
    });
  });
  say(items.length + ' retained message(s)');
}

// ---- plugins ----

async function plugins() {
  const items = await api('GET', '/plugins');
  const body = tbody('plugins-table');
  for (const p of items) {
    const row = body.insertRow();
    cell(row, p.kind);
    cell(row, p.name);
    cell(row, p.bundleId);
    cell(row, p.state);
    if (p.bundleId >= 0 && !p.name.startsWith('io.meridianmq.broker ')) {
      const verb = p.state === 'disabled' ? 'enable' : 'disable';
      button(row, verb === 'enable' ? 'Enable' : 'Disable', verb + '-' + p.bundleId, async () => {
        await api('POST', '/plugins/' + p.bundleId + '/' + verb);
        await plugins();
      });
    }
  }
}

// ---- bans ----

async function bans() {
  const items = await api('GET', '/bans');
  const body = tbody('bans-table');
  for (const b of items) {
    const row = body.insertRow();
    row.dataset.ban = b.kind + ':' + b.value;
    cell(row, b.kind);
    cell(row, b.value);
    cell(row, b.until || 'until unbanned');
    cell(row, b.by);
    cell(row, b.reason);
    button(row, 'Unban', 'unban-' + b.kind + '-' + b.value, async () => {
      await api('DELETE', '/bans/' + encodeURIComponent(b.kind) + '/' + encodeURIComponent(b.value));
      await bans();
      say('Ban of ' + b.value + ' removed');
    });
  }
}

// ---- wiring ----

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const auth = 'Basic ' + btoa($('login-user').value + ':' + $('login-password').value);
    sessionStorage.setItem('meridian.auth', auth);
    try {
      await api('GET', '/stats');
      say('');
      location.hash = '#overview';
      route();
    } catch (err) {
      say('Login failed: wrong user or password, or no viewer/admin role');
    }
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem('meridian.auth');
    show('login');
  });
  $('client-search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    clients().catch((err) => say(err.message));
  });
  $('retained-form').addEventListener('submit', (e) => {
    e.preventDefault();
    retained().catch((err) => say(err.message));
  });
  $('ban-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { kind: $('ban-kind').value, value: $('ban-value').value.trim() };
    if ($('ban-minutes').value) {
      body.minutes = Number($('ban-minutes').value);
    }
    if ($('ban-reason').value) {
      body.reason = $('ban-reason').value;
    }
    try {
      const b = await api('POST', '/bans', body);
      await bans();
      say('Banned ' + b.value + '; ' + b.disconnected + ' connected client(s) disconnected');
    } catch (err) {
      say(err.message);
    }
  });
  window.addEventListener('hashchange', route);
  route();
});
