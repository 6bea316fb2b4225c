// The session with a client manager and the world as the viewer knows it (no drawing here).
//
// WorldSession owns the WebSocket: it logs in (protocol version 8), decodes each frame with
// protocol.js, keeps the entities with their smoothed motion in scene coordinates, and tells
// the page what happened through events (CustomEvent, the payload in `detail`):
//   enter {entity, adopted}   leave {entity, fade}   chat {…}   regionchanged {region, kind}
//   alert {scope, text}   terrain {terrain}   map {regions}   appearance {entity}
//   requesterror {code, requestID, message}   rebase {dx, dy}   close {code, reason, message}
//   intentlost {} (the server stopped the avatar: a teleport, a failed crossing)
//
// Scene coordinates are world metres relative to the south-west corner of a region chosen as
// origin (the first one), so a border crossing moves nothing on screen. See docs/viewer.md.

import {
  PROTOCOL_VERSION, ProtocolError, encodeLogin, encodeMove, headingFromRadians, encodeChat,
  encodePing, encodeLogout, encodeTeleport, encodeTouch, decodeFrame, MotionMirror,
  terrainHeight, describeError, describeClose,
} from './protocol.js';
import { Entity, AVATAR } from './entity.js';
import { RateCounter } from './counter.js';
import { Candidates } from './candidates.js';

const REGION_SIZE = 256;
const PING_INTERVAL_MS = 2000;
const HOUSEKEEPING_MS = 250;
const REBASE_DISTANCE = 4096;      // metres from the origin past which the origin moves
const LOGOUT_GRACE_MS = 3000;
const HANDOFF_FAILED = 27;         // error code: a crossing or teleport did not happen
const TELEPORT = 2;                // RegionChanged.kind

export { PROTOCOL_VERSION };

export class WorldSession extends EventTarget {
  selfID = 0;
  region = null;                   // { name, handle, gridX, gridY }
  regions = [];                    // [{ name, gridX, gridY }] from RegionMap
  terrains = new Map();            // "gridX,gridY" → terrain
  origin = null;                   // { gridX, gridY } of the scene origin
  welcome = null;

  #url; #socket = null;
  #mirror = new MotionMirror();
  #entities = new Map();           // localID → Entity
  #candidates = new Candidates();  // forgotten entities that may come back
  #pendingSelf = null;             // the own avatar between RegionChanged and its EntityEnter
  #timers = [];
  #login = null;                   // { resolve, reject } until Welcome
  #fatal = null;                   // the Error that announced a close
  #closeMessage = null;            // our own reason for closing (bad data from the server)
  #closed = false;
  #opened = false;                 // the WebSocket connected
  #updates = new RateCounter();    // entity updates and enters
  #lastMove = null;
  #nonce = 0;
  #requestID = 0;
  #stats = { timeDilation: 1, serverFrameRate: 0, pingMillis: null, frame: 0n };

  constructor(url) {
    super();
    this.#url = url;
  }

  /** Connects and logs in; resolves with the welcome, rejects with a readable Error. */
  login({ name, password = null, token = null, startRegion = '' }) {
    return new Promise((resolve, reject) => {
      this.#login = { resolve, reject };
      let message;
      try {
        message = encodeLogin({ name, password, token, startRegion });
      } catch (error) {
        this.#login = null;
        reject(new Error(loginInputProblem(error)));
        return;
      }
      let socket;
      try {
        socket = new WebSocket(this.#url);
      } catch (error) {
        this.#login = null;
        reject(new Error(`Cannot connect to ${this.#url}: ${error.message}`));
        return;
      }
      this.#socket = socket;
      socket.binaryType = 'arraybuffer';
      socket.onopen = () => {
        this.#opened = true;
        socket.send(message);
      };
      socket.onmessage = (event) => this.#receive(event.data);
      socket.onclose = (event) => this.#onClose(event.code, event.reason);
      socket.onerror = () => {};   // a close event follows, with the code
    });
  }

  get connected() { return !this.#closed && this.#socket?.readyState === WebSocket.OPEN; }

  get stats() {
    return { ...this.#stats, updatesPerSecond: this.#updates.perSecond(performance.now()) };
  }

  entity(id) { return this.#entities.get(id) ?? null; }

  /** The entities the server holds in view, with the own avatar during a region change. */
  entities() {
    const list = [...this.#entities.values()];
    if (this.#pendingSelf) list.push(this.#pendingSelf);
    return list;
  }

  /** The own avatar's entity, or null before it entered. */
  get self() { return this.#entities.get(this.selfID) ?? this.#pendingSelf; }

  /** Scene coordinates of the current region's south-west corner. */
  regionOffset(region = this.region) {
    if (!region || !this.origin) return [0, 0];
    return [(region.gridX - this.origin.gridX) * REGION_SIZE,
      (region.gridY - this.origin.gridY) * REGION_SIZE];
  }

  /** The terrain height at a scene point, or null where no terrain is known. */
  groundHeight(x, y) {
    if (!this.origin) return null;
    const gridX = this.origin.gridX + Math.floor(x / REGION_SIZE);
    const gridY = this.origin.gridY + Math.floor(y / REGION_SIZE);
    const terrain = this.terrains.get(`${gridX},${gridY}`);
    if (!terrain) return null;
    const [ox, oy] = this.regionOffset(terrain);
    return terrainHeight(terrain, x - ox, y - oy);
  }

  // Requests ---------------------------------------------------------------------------------

  /** Movement intent: mode 0 stop, 1 walk, 2 run, 3 fly; sent only when it changed. */
  move(mode, headingRadians, vertical) {
    const heading = headingFromRadians(headingRadians);
    const last = this.#lastMove;
    if (last && last.mode === mode && last.heading === heading && last.vertical === vertical) return;
    if (this.#send(encodeMove(mode, heading, vertical))) this.#lastMove = { mode, heading, vertical };
  }

  say(text, chatType = 1, channel = 0) {
    try {
      return this.#send(encodeChat(chatType, channel, text));
    } catch {
      return false;              // not sayable (too long, a bad channel): nothing was sent
    }
  }

  /** Teleport to a region by name, to a position [x, y, z] of it or (null) its centre. */
  teleport(regionName, position = null) {
    const requestID = this.#nextRequestID();
    return this.#send(encodeTeleport(requestID, regionName, 0, 0, position)) ? requestID : 0;
  }

  /** A click on an object: touch start, then end. */
  touch(id) {
    return this.#send(encodeTouch(id, 1)) && this.#send(encodeTouch(id, 2));
  }

  logout() {
    if (!this.#send(encodeLogout())) {
      this.close();
      return;
    }
    const timer = setTimeout(() => this.close(), LOGOUT_GRACE_MS);
    this.#timers.push({ clear: () => clearTimeout(timer) });
  }

  /** Closes the connection without logging out (the avatar leaves the world all the same). */
  close(message = null) {
    if (message) this.#closeMessage = message;
    try { this.#socket?.close(1000, 'closed by the viewer'); } catch { /* already closing */ }
  }

  #send(bytes) {
    if (!this.connected || !this.welcome) return false;
    this.#socket.send(bytes);
    return true;
  }

  #nextRequestID() {
    this.#requestID = (this.#requestID % 0xFFFFFFFE) + 1;
    return this.#requestID;
  }

  // Receiving --------------------------------------------------------------------------------

  #receive(data) {
    if (this.#closed) return;
    let messages;
    try {
      if (!(data instanceof ArrayBuffer)) throw new ProtocolError('the server sent a text frame');
      messages = decodeFrame(data);
    } catch (error) {
      this.#protocolFailure(error);
      return;
    }
    const now = performance.now();
    const fatalFrame = messages.length > 0 && messages[0].type === 'error';
    for (const message of messages) {
      try {
        this.#handle(message, now, fatalFrame);
      } catch (error) {
        if (error instanceof ProtocolError) {
          this.#protocolFailure(error);
          return;
        }
        console.error('tessera viewer: could not apply', message.type, error);
      }
    }
  }

  #protocolFailure(error) {
    console.error('tessera viewer: bad data from the server', error);
    this.#closeMessage = `The server sent data this viewer cannot read (${error.message}), so it disconnected.`;
    try { this.#socket?.close(4001, 'malformed server data'); } catch { /* closing anyway */ }
    // Some browsers take a while to report the close of a socket that is still busy: do not wait.
    this.#onClose(4001, 'malformed server data');
  }

  #handle(message, now, fatalFrame) {
    switch (message.type) {
      case 'frameStamp':
        this.#stats.frame = message.frame;
        this.#stats.timeDilation = message.timeDilation;
        break;
      case 'welcome': this.#welcome(message); break;
      case 'entityEnter': this.#enter(message, now); break;
      case 'entityUpdate':
        if (this.#mirror.applyUpdate(message) !== false) this.#moved([message.localID], now);
        break;
      case 'entityDeltas': this.#moved(this.#mirror.applyDeltas(message) ?? [], now); break;
      case 'entityLeave': this.#leave(message.localID, now); break;
      case 'chat': this.#chat(message); break;
      case 'regionChanged': this.#regionChanged(message, now); break;
      case 'regionMap':
        this.regions = message.regions;
        this.#emit('map', { regions: message.regions });
        break;
      case 'regionTerrain':
        this.terrains.set(`${message.gridX},${message.gridY}`, message);
        this.#emit('terrain', { terrain: message });
        break;
      case 'objectAppearance': {
        const entity = this.#entities.get(message.localID);
        if (entity) {
          entity.appearance = message.appearance;
          this.#emit('appearance', { entity });
        }
        break;
      }
      case 'alert': this.#emit('alert', { scope: message.scope, text: message.text }); break;
      case 'pong':
        this.#stats.pingMillis = Math.max(0, Date.now() - Number(message.clientTimeMillis));
        break;
      case 'error': this.#error(message, fatalFrame); break;
      case 'objectResult':
        // A teleport within the region: the avatar arrives stopped.
        if (message.outcome === 3 && message.localID === this.selfID) this.#intentLost();
        break;
      default: break;              // inventory, contents, diagnostics: nothing to show
    }
  }

  #welcome(welcome) {
    this.welcome = welcome;
    this.selfID = welcome.localID;
    this.region = regionOf(welcome);
    this.origin = { gridX: welcome.gridX, gridY: welcome.gridY };
    this.#stats.serverFrameRate = welcome.frameRate;
    this.#startTimers();
    const login = this.#login;
    this.#login = null;
    login?.resolve(welcome);
  }

  #error(error, fatalFrame) {
    if (fatalFrame && error.requestID === 0) {
      this.#fatal = error;
      return;
    }
    if (error.code === HANDOFF_FAILED) this.#intentLost();   // stopped inside the border
    const message = describeError(error.code, error.message);
    this.#emit('requesterror', { code: error.code, requestID: error.requestID, message });
  }

  #chat(chat) {
    const [ox, oy] = this.regionOffset();
    const position = chat.position ? [chat.position[0] + ox, chat.position[1] + oy, chat.position[2]] : null;
    this.#emit('chat', {
      speakerID: chat.speaker,
      speakerName: String(chat.speakerName ?? ''),
      speakerKind: chat.speakerKind ?? null,
      chatType: chat.chatType,
      channel: chat.channel,
      text: String(chat.text ?? ''),
      position,
      isSelf: chat.speaker !== 0 && chat.speaker === this.selfID,
    });
  }

  // Entities ---------------------------------------------------------------------------------

  #sceneState(id) {
    const state = this.#mirror.get(id);
    if (!state) return null;
    const [ox, oy] = this.regionOffset();
    const position = [state.position[0] + ox, state.position[1] + oy, state.position[2]];
    let velocity = state.velocity;
    if (id === this.selfID && !insideRegion(state.position)) {
      // Past the border a crossing is under way: the avatar waits there, whatever its velocity says.
      velocity = [0, 0, 0];
    }
    return { position, rotation: state.rotation, velocity };
  }

  #enter(enter, now) {
    let entity = this.#entities.get(enter.localID) ?? null;
    if (entity && (entity.kind !== enter.kind || entity.name !== enter.name)) {
      this.#leave(enter.localID, now, false);
      entity = null;
    }
    this.#mirror.enter(enter);
    const state = this.#sceneState(enter.localID);
    // An entity entered twice keeps its figure; the own avatar keeps its figure over a region
    // change; others may take the figure of an entity forgotten at the change.
    if (!entity && enter.localID === this.selfID && this.#pendingSelf) {
      entity = this.#pendingSelf;
      this.#pendingSelf = null;
    }
    entity ??= this.#candidates.adopt(enter, state.position, now);
    const adopted = entity !== null;
    if (adopted) {
      entity.id = enter.localID;
      entity.kind = enter.kind;
      entity.describe(enter);
      entity.motion.update(state.position, state.rotation, state.velocity, now);
    } else {
      entity = new Entity(enter, state.position, state.rotation, state.velocity, now);
    }
    entity.isSelf = enter.localID === this.selfID;
    this.#entities.set(enter.localID, entity);
    this.#updates.add(now, 1);
    this.#emit('enter', { entity, adopted });
  }

  #moved(ids, now) {
    let count = 0;
    for (const id of ids) {
      const entity = this.#entities.get(id);
      const state = entity && this.#sceneState(id);
      if (!state) continue;      // the doc: an update for an entity not held is ignored
      entity.motion.update(state.position, state.rotation, state.velocity, now);
      count++;
    }
    this.#updates.add(now, count);
  }

  #leave(id, now, mayReturn = true) {
    const entity = this.#entities.get(id);
    this.#mirror.leave(id);
    if (!entity) return;
    this.#entities.delete(id);
    if (mayReturn && entity.isAvatar && this.#nearBorder(entity, now)) {
      // An avatar crossing into this region leaves as a ghost and enters again under a new ID.
      this.#candidates.add(entity, now);
      return;
    }
    this.#emit('leave', { entity, fade: true });
  }

  #nearBorder(entity, now) {
    const [ox, oy] = this.regionOffset();
    const [x, y] = entity.renderPosition(now);
    const margin = 6;
    return x - ox < margin || y - oy < margin || x - ox > REGION_SIZE - margin || y - oy > REGION_SIZE - margin;
  }

  #regionChanged(change, now) {
    for (const entity of this.#entities.values()) {
      if (entity.id === this.selfID) {
        entity.motion.freeze(now);
        this.#pendingSelf = entity;
      } else {
        this.#candidates.add(entity, now);
      }
    }
    this.#entities.clear();
    this.#mirror.clear();
    const previous = this.region;
    this.selfID = change.localID;
    this.region = regionOf(change);
    this.#rebaseIfFar();
    this.#emit('regionchanged', { region: this.region, previous, kind: change.kind });
    if (change.kind === TELEPORT) this.#intentLost();          // arrives stopped
  }

  /** The server stopped the avatar: the next intent must be sent even if it is the last one. */
  #intentLost() {
    this.#lastMove = null;
    this.#emit('intentlost', {});
  }

  #rebaseIfFar() {
    const [ox, oy] = this.regionOffset();
    if (Math.abs(ox) <= REBASE_DISTANCE && Math.abs(oy) <= REBASE_DISTANCE) return;
    this.origin = { gridX: this.region.gridX, gridY: this.region.gridY };
    for (const entity of this.#allDrawn()) entity.motion.shift(-ox, -oy);
    this.#emit('rebase', { dx: -ox, dy: -oy });
  }

  #allDrawn() {
    return [...this.entities(), ...this.#candidates.entities()];
  }

  // Timers and counters ----------------------------------------------------------------------

  #startTimers() {
    const ping = setInterval(() => {
      this.#nonce = (this.#nonce + 1) >>> 0;
      this.#send(encodePing(this.#nonce, Date.now()));
    }, PING_INTERVAL_MS);
    const housekeeping = setInterval(() => this.#expireCandidates(performance.now()), HOUSEKEEPING_MS);
    this.#timers.push({ clear: () => clearInterval(ping) }, { clear: () => clearInterval(housekeeping) });
    this.#send(encodePing(++this.#nonce, Date.now()));
  }

  #expireCandidates(now) {
    for (const entity of this.#candidates.expire(now)) this.#emit('leave', { entity, fade: true });
  }

  #onClose(code, reason) {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) timer.clear();
    this.#timers = [];
    const message = this.#closeMessage ?? this.#describeClose(code, reason);
    const login = this.#login;
    this.#login = null;
    for (const entity of this.#allDrawn()) this.#emit('leave', { entity, fade: false });
    this.#entities.clear();
    this.#candidates.clear();
    this.#pendingSelf = null;
    if (login) login.reject(new Error(message));
    this.#emit('close', { code, reason, message });
  }

  #describeClose(code, reason) {
    if (!this.#opened) return `Cannot reach the server (${this.#url}). Is the grid running?`;
    const fatal = this.#fatal;
    // The Error before a fatal close carries the whole reason; the close frame's may be cut.
    if (fatal && code === 4000 + fatal.code) return describeClose(code, fatal.message);
    if (fatal && code !== 1009) return describeError(fatal.code, fatal.message);
    return describeClose(code, reason);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function regionOf(message) {
  return {
    name: String(message.regionName ?? ''),
    handle: message.regionHandle,
    gridX: message.gridX,
    gridY: message.gridY,
  };
}

function insideRegion([x, y]) {
  return x >= 0 && x < REGION_SIZE && y >= 0 && y < REGION_SIZE;
}

function loginInputProblem(error) {
  const text = String(error?.message ?? error);
  return `These login details cannot be sent: ${text}`;
}

export { AVATAR };
