// Tessera grid dashboard.
//
// Signs in with an admin token, loads the regions and agents once, then follows the
// console's /events stream (Server-Sent Events read through fetch, because EventSource
// cannot send an Authorization header) and redraws the map, table and figures from each
// snapshot. Server-provided text only ever reaches the page through textContent.
'use strict';

const TOKEN_KEY = 'tessera.adminToken';
const CELL = 256;            // metres per region side; also map units per grid cell
const GAP = 4;               // map units between neighbouring region squares
const PAD = 16;              // map units around the whole grid
const FEED_LIMIT = 200;      // events kept in the feed
const RETRY_MS = 2000;       // wait before reconnecting the stream
const SILENCE_MS = 15000;    // a stream this quiet is presumed dead
const KINDS = new Set(['login', 'logout', 'handoff', 'kick', 'alert', 'restart', 'admin']);
const SVG_NS = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  stream: null,           // AbortController of the current /events connection
  retryTimer: 0,
  snapshotSeen: false,    // a snapshot has been drawn since this connection opened
  extent: '',             // viewBox last applied to the map
  regionNodes: new Map(), // region id -> <g class="region">
  avatarNodes: new Map(), // agent_id -> <circle class="avatar">
  rowNodes: new Map(),    // region id -> <tr>
  regionNames: '',        // names last put in the alert select
};

// ---- API -----------------------------------------------------------------

/** A failed request, carrying the HTTP status and the problem document's message. */
class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/** Turns a non-2xx response into an ApiError, preferring the problem's detail, then title. */
async function problemOf(response) {
  let problem = null;
  try { problem = await response.json(); } catch { /* not a problem document */ }
  const message = (problem && (problem.detail || problem.title))
    || `${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, message);
}

/** Calls the console API with the bearer token and returns the parsed JSON body. */
async function api(path, { method = 'GET', body, token = state.token } = {}) {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body && JSON.stringify(body), cache: 'no-store' });
  if (!response.ok) throw await problemOf(response);
  return response.status === 204 ? null : response.json();
}

/** Fetches every page of a paged list route (following `next` as `cursor`). */
async function listAll(path) {
  const items = [];
  for (let cursor = null, first = true; first || cursor; first = false) {
    const page = await api(cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...(page.items || []));
    cursor = page.next;
  }
  return items;
}

// ---- Sign in and out -----------------------------------------------------

/** body[data-state]: "signin", "connecting" or "live"; the badge says the same in words. */
function setState(name, badgeText = name) {
  document.body.dataset.state = name;
  const badge = $('connection');
  badge.dataset.status = badgeText === 'reconnecting…' ? 'reconnecting' : name;
  badge.textContent = badgeText;
}

/** Takes a token given as #token=VALUE and removes it from the address bar. */
function takeFragmentToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return null;
  history.replaceState(null, '', location.pathname + location.search);
  return token.trim();
}

/** Checks a token against the API; on success stores it and goes live. */
async function signIn(token) {
  const button = $('signin-button');
  button.disabled = true;
  $('signin-error').textContent = '';
  try {
    await api('/regions?limit=1', { token });
    state.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token-input').value = '';
    connect();
  } catch (err) {
    // A refused token is forgotten; one that merely could not be checked is kept for a retry.
    if (err instanceof ApiError && err.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    else $('token-input').value = token;
    $('signin-error').textContent = err instanceof ApiError ? err.message : `Cannot reach the console: ${err.message}`;
    setState('signin');
  } finally {
    button.disabled = false;
  }
}

/** Forgets the token, stops the stream and returns to the sign-in form. */
function signOut(message = '') {
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(state.retryTimer);
  if (state.stream) state.stream.abort();
  state.stream = null;
  // Drawing an empty grid removes every keyed node, so a later sign-in starts clean.
  render([], []);
  $('event-feed').replaceChildren();
  $('feed-empty').hidden = false;
  $('alert-result').textContent = '';
  $('snapshot-time').textContent = '';
  $('signin-error').textContent = message;
  setState('signin');
  $('token-input').focus();
}

// ---- Live data -------------------------------------------------------------

/** Starts following the grid: one initial load, then the event stream. */
function connect() {
  setState('connecting', 'connecting…');
  state.snapshotSeen = false;
  loadInitial();
  follow();
}

/** Draws the regions and agents lists until the first snapshot supersedes them. */
async function loadInitial() {
  try {
    const [regions, agents] = await Promise.all([listAll('/regions?limit=500'), listAll('/agents?limit=500')]);
    if (state.token && !state.snapshotSeen) render(regions, agents);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signOut(err.message);
    // Anything else is left to the stream, which retries on its own.
  }
}

/** Reads /events until it ends or fails, then schedules a reconnect. */
async function follow() {
  const controller = new AbortController();
  state.stream = controller;
  let watchdog = 0;
  const stillTalking = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => controller.abort(), SILENCE_MS);
  };
  try {
    stillTalking();
    const headers = { Authorization: `Bearer ${state.token}`, Accept: 'text/event-stream' };
    const response = await fetch('/events', { headers, cache: 'no-store', signal: controller.signal });
    if (response.status === 401) return signOut((await problemOf(response)).message);
    if (!response.ok) throw await problemOf(response);
    const reader = response.body.getReader();
    const parse = eventStreamParser(dispatch);
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stillTalking();
      parse(decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    if (err.name !== 'AbortError') console.warn('event stream:', err);
  } finally {
    clearTimeout(watchdog);
  }
  // Reconnect unless signed out or superseded meanwhile.
  if (state.token && state.stream === controller) {
    setState('connecting', 'reconnecting…');
    state.snapshotSeen = false;
    state.retryTimer = setTimeout(() => {
      if (state.token && state.stream === controller) follow();
    }, RETRY_MS);
  }
}

/**
 * An incremental text/event-stream parser: `event:` and `data:` fields, a blank line
 * ends an event, `:` lines are comments. Returns a function taking decoded text and
 * calling onEvent(name, data) per complete event.
 */
function eventStreamParser(onEvent) {
  let buffer = '';
  let name = '';
  let data = [];
  const line = (text) => {
    if (text === '') {
      if (data.length > 0) onEvent(name || 'message', data.join('\n'));
      name = '';
      data = [];
    } else if (!text.startsWith(':')) {
      const colon = text.indexOf(':');
      const field = colon < 0 ? text : text.slice(0, colon);
      const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
  };
  return (text) => {
    buffer += text;
    for (let m; (m = /\r\n|\n|\r/.exec(buffer));) {
      // A lone CR at the end may be the first half of a CRLF: wait for more.
      if (m[0] === '\r' && m.index === buffer.length - 1) return;
      line(buffer.slice(0, m.index));
      buffer = buffer.slice(m.index + m[0].length);
    }
  };
}

/** Handles one stream event by name. */
function dispatch(name, data) {
  let payload;
  try { payload = JSON.parse(data); } catch { console.warn('unreadable event data', name); return; }
  if (name === 'snapshot') {
    render(payload.regions || [], payload.agents || []);
    state.snapshotSeen = true;
    setState('live');
    $('snapshot-time').textContent = `as of ${formatTime(payload.at)}`;
  } else if (name === 'event') {
    addFeedEntry(payload);
  }
}

// ---- Drawing -------------------------------------------------------------

/** Redraws map, table, figures and the alert select from one state of the grid. */
function render(regions, agents) {
  renderMap(regions, agents);
  renderTable(regions);
  renderSummary(regions);
  renderRegionSelect(regions);
}

/** Health of a region: down (unreachable), unknown (no figures), ok or slow. */
function healthOf(region) {
  if (!region.reachable) return 'down';
  if (typeof region.time_dilation !== 'number') return 'unknown';
  return region.time_dilation >= 0.9 ? 'ok' : 'slow';
}

/** An SVG element with attributes and children. */
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/**
 * Keyed drawing: keeps one node per item key, creating missing ones, updating all and
 * removing those whose item is gone. Nodes are only moved in the DOM when `ordered`
 * (moving a node would cancel its running transition, and avatar dots must glide).
 */
function drawKeyed(nodes, parent, items, { key, create, update, ordered = false }) {
  const live = new Set();
  for (const item of items) {
    const id = key(item);
    live.add(id);
    let node = nodes.get(id);
    const fresh = !node;
    if (fresh) nodes.set(id, (node = create(item)));
    if (fresh || ordered) parent.append(node);
    update(node, item);
  }
  for (const [id, node] of nodes) if (!live.has(id)) { node.remove(); nodes.delete(id); }
}

function renderMap(regions, agents) {
  const map = $('map');
  const placed = (c) => Number.isFinite(c.grid_x) && Number.isFinite(c.grid_y);
  const squares = regions.filter(placed);
  const dots = agents.filter(placed);
  // Extent in grid cells, covering the regions and any avatar outside them.
  const cells = squares.length + dots.length ? [...squares, ...dots] : [{ grid_x: 0, grid_y: 0 }];
  const xs = cells.map((c) => c.grid_x);
  const ys = cells.map((c) => c.grid_y);
  const [minX, maxY] = [Math.min(...xs), Math.max(...ys)];
  const width = (Math.max(...xs) - minX + 1) * CELL;
  const height = (maxY - Math.min(...ys) + 1) * CELL;
  const extent = `${-PAD} ${-PAD} ${width + 2 * PAD} ${height + 2 * PAD}`;
  // Grid y grows northwards, screen y downwards: the top row is the highest grid_y.
  const origin = (c) => [(c.grid_x - minX) * CELL, (maxY - c.grid_y) * CELL];

  const extentChanged = extent !== state.extent;
  if (extentChanged) {
    map.setAttribute('viewBox', extent);
    state.extent = extent;
    map.classList.add('instant');
  }

  drawKeyed(state.regionNodes, $('map-regions'), squares, {
    key: (region) => region.id ?? region.name,
    create: () => svg('g', { class: 'region' },
      svg('title'),
      svg('rect', { x: GAP, y: GAP, width: CELL - 2 * GAP, height: CELL - 2 * GAP, rx: 6 }),
      svg('text', { class: 'region-name', x: 18, y: 42 }),
      svg('text', { class: 'region-count', x: 18, y: 70 })),
    update: (group, region) => {
      const [x, y] = origin(region);
      const count = Number.isInteger(region.agents) ? region.agents : null;
      group.setAttribute('class', `region ${healthOf(region)}`);
      group.setAttribute('transform', `translate(${x} ${y})`);
      group.dataset.name = region.name;
      group.dataset.agents = String(count ?? 0);
      const [title, , name, countText] = group.children;
      name.textContent = truncate(region.name, 16);
      countText.textContent = count === null ? 'no answer' : `${count} ${count === 1 ? 'avatar' : 'avatars'}`;
      title.textContent = `${region.name} (${region.grid_x}, ${region.grid_y}) on ${region.node}: `
        + (region.reachable ? `${count ?? '?'} avatars, dilation ${fixed(region.time_dilation, 2)}` : 'unreachable');
    },
  });

  // Avatar dots, keyed by agent_id so that they move rather than blink.
  drawKeyed(state.avatarNodes, $('map-avatars'), dots, {
    key: (agent) => agent.agent_id,
    create: (agent) => svg('circle', { class: 'avatar', r: 6, 'data-agent': agent.agent_id }, svg('title')),
    update: (dot, agent) => {
      const [px, py] = Array.isArray(agent.position) ? agent.position : [];
      const [x, y] = origin(agent);
      const dotX = x + clamp(px, 0, CELL);
      const dotY = y + CELL - clamp(py, 0, CELL); // position y grows northwards too
      dot.style.transform = `translate(${dotX.toFixed(1)}px, ${dotY.toFixed(1)}px)`;
      dot.firstChild.textContent = agent.name;
    },
  });

  if (extentChanged) {
    void map.getBoundingClientRect(); // apply the new positions without a transition
    map.classList.remove('instant');
  }
  map.dataset.regions = String(state.regionNodes.size);
  map.dataset.avatars = String(state.avatarNodes.size);
  $('map-empty').hidden = regions.length > 0;
}

/** The region table's columns: cell class and text. The first is the row header. */
const COLUMNS = [
  ['name', (r) => String(r.name ?? '')],
  ['node', (r) => String(r.node ?? '')],
  ['grid', (r) => `${r.grid_x}, ${r.grid_y}`],
  ['num agents', (r) => count(r.agents)],
  ['num objects', (r) => count(r.objects)],
  ['num frame', (r) => fixed(r.frame_rate, 1)],
  ['num dilation', (r) => fixed(r.time_dilation, 2)],
  ['physics', (r) => r.physics ?? '—'],
  ['reachable', (r) => (r.reachable ? 'yes' : 'no')],
];

function renderTable(regions) {
  const sorted = [...regions].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  drawKeyed(state.rowNodes, $('region-rows'), sorted, {
    key: (region) => region.id ?? region.name,
    ordered: true,
    create: () => {
      const row = document.createElement('tr');
      COLUMNS.forEach(([className], i) => row.append(element(i === 0 ? 'th' : 'td', className)));
      row.firstChild.scope = 'row';
      return row;
    },
    update: (row, region) => {
      COLUMNS.forEach(([, text], i) => {
        const value = text(region);
        const cell = row.children[i];
        if (cell.textContent !== value) cell.textContent = value; // keeps selections intact
      });
      row.className = healthOf(region);
    },
  });
}

function renderSummary(regions) {
  const sum = (field) => regions.reduce((total, r) => total + (Number.isFinite(r[field]) ? r[field] : 0), 0);
  const rates = regions.map((r) => r.frame_rate).filter(Number.isFinite);
  $('region-total').textContent = String(regions.length);
  $('avatar-total').textContent = String(sum('agents'));
  $('object-total').textContent = String(sum('objects'));
  $('frame-rate-mean').textContent = rates.length
    ? (rates.reduce((a, b) => a + b, 0) / rates.length).toFixed(1) : '—';
}

/** Fills the alert target select with region names, keeping the current choice. */
function renderRegionSelect(regions) {
  const names = [...new Set(regions.map((r) => r.name))].sort((a, b) => a.localeCompare(b));
  const signature = names.join('\n');
  if (signature === state.regionNames) return;
  state.regionNames = signature;
  const select = $('alert-region');
  const chosen = select.value;
  select.replaceChildren(new Option('Everyone', ''), ...names.map((name) => new Option(name, name)));
  select.value = names.includes(chosen) ? chosen : '';
}

function addFeedEntry(event) {
  const feed = $('event-feed');
  const known = KINDS.has(event.kind);
  const time = element('time', '', formatTime(event.at));
  time.dateTime = event.at || '';
  const kind = element('span', known ? `kind kind-${event.kind}` : 'kind', known ? event.kind : 'other');
  const item = element('li');
  item.append(time, kind, element('span', 'feed-text', event.text ?? ''));
  feed.prepend(item);
  while (feed.children.length > FEED_LIMIT) feed.lastElementChild.remove();
  $('feed-empty').hidden = true;
}

// ---- Formatting ----------------------------------------------------------

/** An HTML element with a class and text (always as textContent, never parsed). */
function element(tag, className = '', text = '') {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = text;
  return node;
}
/** Clamps a coordinate into [low, high]; a missing one is put in the middle. */
function clamp(value, low, high) {
  return Number.isFinite(value) ? Math.min(high, Math.max(low, value)) : (low + high) / 2;
}
function count(value) { return Number.isFinite(value) ? String(value) : '—'; }
function fixed(value, digits) { return Number.isFinite(value) ? value.toFixed(digits) : '—'; }
function truncate(text, length) {
  const s = String(text ?? '');
  return s.length > length ? `${s.slice(0, length - 1)}…` : s;
}
function formatTime(at) {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at ?? '') : date.toLocaleTimeString([], { hour12: false });
}

// ---- Alerts --------------------------------------------------------------

async function sendAlert(event) {
  event.preventDefault();
  const button = $('alert-send');
  const message = $('alert-message').value.trim();
  const region = $('alert-region').value; // '' means everyone
  const show = (text, outcome = '') => {
    $('alert-result').className = `result ${outcome}`;
    $('alert-result').textContent = text;
  };
  if (!message) return;
  button.disabled = true;
  show('Sending…');
  try {
    const reply = await api('/alerts', { method: 'POST', body: region ? { message, region } : { message } });
    show(`Delivered to ${reply.delivered} avatars`, 'ok');
    $('alert-message').value = '';
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signOut(err.message);
    show(err instanceof ApiError ? err.message : `Not sent: ${err.message}`, 'failed');
  } finally {
    button.disabled = false;
  }
}

// ---- Start ---------------------------------------------------------------

function start() {
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (token) signIn(token);
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('alert-form').addEventListener('submit', sendAlert);

  // The fragment wins over a stored token (the automated test signs in that way).
  const token = takeFragmentToken() || sessionStorage.getItem(TOKEN_KEY);
  setState('signin');
  if (token) signIn(token);
  else $('token-input').focus();
}

start();
