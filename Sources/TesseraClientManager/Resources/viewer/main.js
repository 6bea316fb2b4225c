// The page: login form, the states of body[data-state] (login → connecting → world → closed),
// and the wiring of session (world.js), 3D view (scene.js), keys (controls.js), chat, mini-map
// and figures. docs/viewer.md describes what a person sees and the hooks tests read.

import { WorldSession } from './world.js';
import { WorldScene } from './scene.js';
import { Controls } from './controls.js';
import { ChatPanel } from './chat.js';
import { MiniMap } from './minimap.js';
import { Hud } from './hud.js';

const HUD_INTERVAL_MS = 250;
const ALERT_MS = 30000;
const $ = (id) => document.getElementById(id);

const page = {
  view: $('view'),
  form: $('login'),
  name: $('login-name'),
  password: $('login-password'),
  region: $('login-region'),
  submit: $('login-submit'),
  error: $('login-error'),
  alert: $('alert'),
};

let session = null;
let alertTimer = null;

function setState(state) {
  document.body.dataset.state = state;
  page.submit.disabled = state === 'connecting';
  page.submit.textContent = state === 'connecting' ? 'Connecting…' : 'Log in';
}

function showLoginError(message) {
  page.error.textContent = message ?? '';
}

function socketURL() {
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  return `${scheme}${location.host}/ws`;
}

// The 3D view --------------------------------------------------------------------------------

let scene = null;
try {
  scene = new WorldScene(page.view);
} catch (error) {
  console.error('tessera viewer: no WebGL', error);
}
if (!scene) {
  showLoginError('This browser cannot draw the 3D world: WebGL is not available or turned off.');
  page.submit.disabled = true;
}

const chat = new ChatPanel({ log: $('chat-log'), input: $('chat-input'), type: $('chat-type') });
const hud = new Hud();
const minimap = new MiniMap($('minimap'), {
  onTeleport(region, position) {
    if (!session) return;
    if (session.teleport(region.name, position)) {
      const [x, y] = position;
      chat.system(`Teleporting to ${region.name} (${Math.round(x)}, ${Math.round(y)})…`);
    }
  },
});
const controls = scene && new Controls(page.view, scene, {
  onTouch(entity) {
    if (!session || !session.touch(entity.id)) return;
    page.view.dataset.touched = entity.name;
    scene.flash(entity);
  },
});
if (scene) scene.steering = controls;

// Logging in and out ---------------------------------------------------------------------------

async function logIn({ name, password = null, token = null, startRegion = '' }) {
  if (!scene) return;
  if (session) session.close();
  showLoginError('');
  setState('connecting');
  const next = new WorldSession(socketURL());
  session = next;
  // Listen before logging in: the frame that carries Welcome also carries the first entities.
  scene.attach(next);
  chat.clear();
  chat.attach(next);
  minimap.attach(next);
  controls.attach(next);
  next.addEventListener('regionchanged', (event) => {
    const { region, kind } = event.detail;
    chat.system(`${kind === 2 ? 'Teleported' : 'Crossed'} into ${region.name}.`);
    refreshFigures();
  });
  next.addEventListener('requesterror', (event) => chat.system(event.detail.message, 'problem'));
  next.addEventListener('alert', (event) => showAlert(event.detail.text));
  next.addEventListener('close', (event) => closed(next, event.detail.message));
  try {
    const welcome = await next.login({ name, password, token, startRegion });
    if (session !== next) return;
    page.password.value = '';
    setState('world');
    // The figures name the region as soon as the page is in the world, not at their next
    // refresh (a slow machine may draw, and so refresh them, only a few times a second).
    refreshFigures();
    chat.system(`Welcome to ${welcome.regionName}, ${name}.`);
  } catch (error) {
    if (session !== next) return;
    leaveWorld();
    setState('login');
    showLoginError(error.message);
  }
}

function closed(which, message) {
  // A login that fails is told by logIn (its promise rejects with the reason).
  if (session !== which || document.body.dataset.state !== 'world') return;
  leaveWorld();
  setState('closed');
  showLoginError(message);
}

function leaveWorld() {
  scene?.detach();
  chat.detach();
  minimap.detach();
  controls?.detach();
  hideAlert();
  session = null;
}

page.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = page.name.value.trim();
  if (!name) {
    showLoginError('Enter your avatar name.');
    page.name.focus();
    return;
  }
  logIn({ name, password: page.password.value, startRegion: page.region.value.trim() });
});

$('logout').addEventListener('click', () => session?.logout());

function showAlert(text) {
  page.alert.textContent = String(text ?? '');
  page.alert.hidden = false;
  clearTimeout(alertTimer);
  alertTimer = setTimeout(hideAlert, ALERT_MS);
}

function hideAlert() {
  page.alert.hidden = true;
  clearTimeout(alertTimer);
}
page.alert.addEventListener('click', hideAlert);

/** `#token=…&name=…[&region=…]` logs in with a session token; the token leaves the address bar. */
function loginFromFragment() {
  const params = fragmentParameters(location.hash);
  const token = params.get('token');
  const name = params.get('name');
  if (name) page.name.value = name;
  if (params.get('region')) page.region.value = params.get('region');
  if (!token) return;
  history.replaceState(null, '', location.pathname + location.search);
  if (!name) {
    showLoginError('The link has a session token but no name: add &name=… to it.');
    return;
  }
  logIn({ name, token, startRegion: params.get('region') ?? '' });
}

/** `#a=1&b=2` → Map; values are percent-decoded, and a `+` stays a `+` (tokens may hold one). */
function fragmentParameters(hash) {
  const params = new Map();
  for (const part of hash.replace(/^#/, '').split('&')) {
    const equals = part.indexOf('=');
    if (equals <= 0) continue;
    try {
      params.set(decodeURIComponent(part.slice(0, equals)), decodeURIComponent(part.slice(equals + 1)));
    } catch {
      // A malformed escape: that parameter is left out.
    }
  }
  return params;
}

// Drawing ----------------------------------------------------------------------------------

let lastFrame = null;
let lastHud = -Infinity;

function refreshFigures() {
  const now = performance.now();
  lastHud = now;
  hud.update(now, session, scene, controls);
}

function frame(now) {
  requestAnimationFrame(frame);
  const dt = lastFrame === null ? 0 : Math.min(0.25, (now - lastFrame) / 1000);
  lastFrame = now;
  controls.update(dt, now);
  scene.render(now);
  hud.frameDrawn(now);
  if (now - lastHud >= HUD_INTERVAL_MS) {
    lastHud = now;
    hud.update(now, session, scene, controls);
    minimap.update(now);
  }
}

// Read-only hooks for tests and debugging (docs/viewer.md, "Test hooks").
window.tessera = Object.freeze({
  get session() { return session; },
  screenPosition(id) {
    const entity = session?.entity(id);
    return entity && scene ? scene.screenPosition(entity) : null;
  },
  entityList() {
    if (!session) return [];
    const now = performance.now();
    return session.entities().map((entity) => {
      const [x, y, z] = entity.renderPosition(now);
      return { id: entity.id, kind: entity.kind, name: entity.name, x, y, z };
    });
  },
});

setState('login');
if (scene) {
  requestAnimationFrame(frame);
  loginFromFragment();
  if (!page.name.value) page.name.focus();
}
