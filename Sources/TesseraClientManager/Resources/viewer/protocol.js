// Tessera client protocol for the browser: implements docs/client-protocol.md, version 8
// (version 7 plus RegionMap 0x91 and RegionTerrain 0x92). A pure ES module: no DOM, no three.js.
//
// Client → server: each encode* function returns a Uint8Array holding exactly one message (one
// WebSocket binary frame; no length prefix). Server → client: decodeFrame(arrayBuffer) returns
// the frame's messages as plain objects, in order. Malformed server data throws ProtocolError
// naming the field (as the reference decoder does); unknown message types are skipped by their
// length. Positions are region-local metres, velocities metres per second, rotations [x, y, z, w].
//
// Beyond the fields viewer-spec.md lists, decoded messages carry: `packedPosition` [X, Y, Z] (the
// exact packed integers) on entityEnter, on entityUpdate with a position and on entityDeltas
// entries with an absolute position; `flags` on each entityDeltas entry (a yaw entry has both
// `yaw` and the `rotation` it stands for); `name` (ERROR_CODES[code] or null) on error; `answer`
// on inventory (null on failure). 64-bit counters (frame, regionHandle) are BigInts; Unix
// milliseconds (timeMillis, startedMillis, clientTimeMillis) are Numbers.
// Encoders throw RangeError or TypeError for values the server would refuse as malformed (a
// text over its byte limit or holding U+0000, an enumeration out of range, a non-finite float).

export const PROTOCOL_VERSION = 8;

/**
 * Malformed server data. `new ProtocolError(field, reason)`: `field` names the field, as in the
 * reference decoder ("entityEnter.name"), and the message is "field: reason". With one argument,
 * `new ProtocolError(message)`, the message is that text and `field` is null.
 */
export class ProtocolError extends Error {
  constructor(field, reason) {
    super(reason === undefined ? String(field) : `${field}: ${reason}`);
    this.name = 'ProtocolError';
    this.field = reason === undefined ? null : field;
    this.reason = reason === undefined ? String(field) : reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Constants

/** String limits in bytes of UTF-8 (docs: "String limits used in this protocol"). */
export const LIMITS = Object.freeze({
  name: 63,
  chat: 1023,
  password: 256,
  token: 128,
  errorMessage: 1024,
  alertText: 1024,
  floatingText: 255,
  diagnosticLine: 1024,
  contentError: 1024,
  maxGridCoordinate: 16777215,
  regionMapEntries: 256,
  terrainHills: 64,
  objectContentsItems: 16,
  diagnosticLines: 32,
  assetChunkBytes: 60000,
});

export const MESSAGE_TYPES = Object.freeze({
  login: 0x01, move: 0x02, chat: 0x03, createObject: 0x04, deleteObject: 0x05, ping: 0x06,
  logout: 0x07, inventoryRequest: 0x08, teleport: 0x09, moveObject: 0x0a, pushObject: 0x0b,
  touchObject: 0x0c, addScript: 0x0d, scriptControl: 0x0e, objectContentsRequest: 0x0f,
  welcome: 0x81, frameStamp: 0x82, entityEnter: 0x83, entityUpdate: 0x84, entityLeave: 0x85,
  chatReceived: 0x86, objectResult: 0x87, error: 0x88, pong: 0x89, inventoryReply: 0x8a,
  regionChanged: 0x8b, alert: 0x8c, objectContents: 0x8d, scriptDiagnostics: 0x8e,
  objectAppearance: 0x8f, entityDeltas: 0x90, regionMap: 0x91, regionTerrain: 0x92,
});

export const MOVEMENT_MODE = Object.freeze({ stop: 0, walk: 1, run: 2, fly: 3 });
export const CHAT_TYPE = Object.freeze({ whisper: 0, say: 1, shout: 2, regionSay: 3, ownerSay: 4 });
/** Chat type code → the name the page uses (`data-type`). */
export const CHAT_TYPE_NAMES = Object.freeze(['whisper', 'say', 'shout', 'regionSay', 'ownerSay']);
export const ENTITY_KIND = Object.freeze({ avatar: 1, object: 2 });
export const SHAPE = Object.freeze({ box: 1, sphere: 2, cylinder: 3 });
export const TOUCH_PHASE = Object.freeze({ start: 1, end: 2 });
export const OBJECT_OUTCOME = Object.freeze({ created: 1, deleted: 2, moved: 3, crossed: 4, updated: 5 });
export const REGION_CHANGE_KIND = Object.freeze({ crossing: 1, teleport: 2 });
export const ALERT_SCOPE = Object.freeze({ grid: 0, region: 1, personal: 2 });

/** `ErrorCode` (u16) → its name (docs: "Error codes"). */
export const ERROR_CODES = Object.freeze({
  1: 'malformedMessage',
  2: 'unknownMessageType',
  3: 'notLoggedIn',
  4: 'alreadyLoggedIn',
  5: 'invalidName',
  6: 'regionFull',
  7: 'regionUnavailable',
  8: 'invalidValue',
  9: 'unknownEntity',
  10: 'notAllowed',
  11: 'rateLimited',
  12: 'objectLimit',
  13: 'serverFull',
  14: 'tooSlow',
  15: 'unsupportedVersion',
  16: 'badCredentials',
  17: 'invalidSession',
  18: 'serviceUnavailable',
  19: 'unknownFolder',
  20: 'unknownItem',
  21: 'unknownAsset',
  22: 'unknownAvatar',
  23: 'wouldCreateCycle',
  24: 'systemFolder',
  25: 'assetTooLarge',
  26: 'loggedInElsewhere',
  27: 'handoffFailed',
  28: 'kicked',
  29: 'regionRestarting',
});

// ---------------------------------------------------------------------------------------------
// Quantization (docs: "Quantization")

const HORIZONTAL_STEPS = 1048576; // 2^20
const VERTICAL_STEPS = 16777216; // 2^24
const ROTATION_BOUND = Math.SQRT1_2;
const ROTATION_STEPS = 1022;

/** Round to nearest, halves away from zero (the doc's `round`). */
function roundHalfAway(v) {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}

/** Packed integers X, Y, Z → metres [x, y, z]. */
export function packedToMetres(X, Y, Z) {
  return [X / 2048 - 128, Y / 2048 - 128, Z / 4096];
}

/** Metres → packed integers [X, Y, Z] (the doc's encoder; non-finite coordinates as 0 m). */
export function metresToPacked(x, y, z) {
  const q = (v, offset, range, steps) => {
    const m = Number.isFinite(v) ? v : 0;
    return clamp(roundHalfAway(((m + offset) / range) * steps), 0, steps - 1);
  };
  return [q(x, 128, 512, HORIZONTAL_STEPS), q(y, 128, 512, HORIZONTAL_STEPS), q(z, 0, 4096, VERTICAL_STEPS)];
}

/** The u64 raw value (BigInt) of packed integers. */
export function packPosition(X, Y, Z) {
  return BigInt(X) | (BigInt(Y) << 20n) | (BigInt(Z) << 40n);
}

/** A raw PackedPosition (BigInt) → packed integers [X, Y, Z]. */
export function unpackPosition(raw) {
  const r = BigInt.asUintN(64, BigInt(raw));
  return [Number(r & 0xfffffn), Number((r >> 20n) & 0xfffffn), Number(r >> 40n)];
}

/** A raw PackedRotation (u32) → a unit quaternion [x, y, z, w] (the doc's decoder). */
export function unpackRotation(raw) {
  const r = raw >>> 0;
  const largest = r >>> 30;
  const q = [0, 0, 0, 0];
  let shift = 20;
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    if (i === largest) continue;
    const step = (r >>> shift) & 0x3ff;
    const c = (step / ROTATION_STEPS) * 2 * ROTATION_BOUND - ROTATION_BOUND;
    q[i] = c;
    sum += c * c;
    shift -= 10;
  }
  q[largest] = Math.sqrt(Math.max(0, 1 - sum));
  const length = Math.hypot(q[0], q[1], q[2], q[3]);
  return q.map((c) => c / length);
}

/** A quaternion [x, y, z, w] → a raw PackedRotation (u32 Number), the doc's encoder. */
export function packRotation(rotation) {
  let q = rotation.map(Number);
  const length = Math.hypot(q[0], q[1], q[2], q[3]);
  if (!Number.isFinite(length) || length <= 1e-6) q = [0, 0, 0, 1];
  else q = q.map((c) => c / length);
  let largest = 0;
  for (let i = 1; i < 4; i++) if (Math.abs(q[i]) > Math.abs(q[largest])) largest = i;
  if (q[largest] < 0) q = q.map((c) => -c);
  let raw = largest * 2 ** 30;
  let shift = 20;
  for (let i = 0; i < 4; i++) {
    if (i === largest) continue;
    const c = clamp(q[i], -ROTATION_BOUND, ROTATION_BOUND);
    const step = Math.round(((c + ROTATION_BOUND) / (2 * ROTATION_BOUND)) * ROTATION_STEPS);
    raw += step * 2 ** shift;
    shift -= 10;
  }
  return raw;
}

/** The rotation of a yaw (u16 fraction of a turn about +z): (0, 0, sin(a/2), cos(a/2)). */
export function rotationFromYaw(yaw) {
  const half = (yaw / 65536) * Math.PI;
  return [0, 0, Math.sin(half), Math.cos(half)];
}

/** `Move.heading` from radians: round(frac(radians / 2π) · 65536) mod 65536 (non-finite → 0). */
export function headingFromRadians(radians) {
  if (!Number.isFinite(radians)) return 0;
  const turns = radians / (2 * Math.PI);
  const fraction = turns - Math.floor(turns);
  return Math.round(fraction * 65536) % 65536;
}

/** Radians of a heading or yaw (u16). */
export function radiansFromHeading(heading) {
  return (heading / 65536) * 2 * Math.PI;
}

/** A region handle (BigInt) of a grid position: (256·gridX) << 32 | (256·gridY). */
export function regionHandle(gridX, gridY) {
  return (BigInt(gridX * 256) << 32n) | BigInt(gridY * 256);
}

/** The grid position { gridX, gridY } of a region handle. */
export function gridFromHandle(handle) {
  const h = BigInt.asUintN(64, BigInt(handle));
  return { gridX: Math.floor(Number(h >> 32n) / 256), gridY: Math.floor(Number(h & 0xffffffffn) / 256) };
}

/** Ground height (metres) of a decoded RegionTerrain at region-local (x, y). */
export function terrainHeight(terrain, x, y) {
  const cx = clamp(x, 0, 256);
  const cy = clamp(y, 0, 256);
  let h = terrain.base;
  for (const hill of terrain.hills) {
    const dx = cx - hill.x;
    const dy = cy - hill.y;
    const d2 = dx * dx + dy * dy;
    if (!(d2 < hill.radius * hill.radius)) continue;
    const d = Math.sqrt(d2);
    h += hill.height * 0.5 * (1 + Math.cos((Math.PI * d) / hill.radius));
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Client → server

const encoder = new TextEncoder();

class Writer {
  constructor() {
    this.bytes = new Uint8Array(64);
    this.view = new DataView(this.bytes.buffer);
    this.length = 0;
  }
  reserve(n) {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }
  u8(v) { this.reserve(1); this.view.setUint8(this.length, v); this.length += 1; }
  i8(v) { this.reserve(1); this.view.setInt8(this.length, v); this.length += 1; }
  u16(v) { this.reserve(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  i32(v) { this.reserve(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  u32(v) { this.reserve(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  u64(v) { this.reserve(8); this.view.setBigUint64(this.length, BigInt(v), true); this.length += 8; }
  f32(v) { this.reserve(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  raw(bytes) { this.reserve(bytes.length); this.bytes.set(bytes, this.length); this.length += bytes.length; }
  string(bytes) { this.u16(bytes.length); this.raw(bytes); }
  done() { return this.bytes.slice(0, this.length); }
}

function checkInteger(field, value, lo, hi) {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new RangeError(`${field} must be an integer in ${lo}…${hi}, got ${String(value)}`);
  }
  return value;
}

function checkChoice(field, value, allowed) {
  if (!allowed.includes(value)) throw new RangeError(`${field} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value;
}

/** UTF-8 bytes of a text field, checked against its limit and for U+0000. */
function textBytes(field, text, maxBytes) {
  if (typeof text !== 'string') throw new TypeError(`${field} must be a string`);
  const bytes = encoder.encode(text);
  if (bytes.length > maxBytes) throw new RangeError(`${field} is ${bytes.length} bytes of UTF-8, at most ${maxBytes} allowed`);
  if (bytes.includes(0)) throw new RangeError(`${field} contains U+0000, which no text field may hold`);
  return bytes;
}

/** A finite f32 (as the server requires). */
function checkFloat(field, value) {
  const f = Math.fround(Number(value));
  if (!Number.isFinite(f)) throw new RangeError(`${field} must be a finite number (as f32), got ${String(value)}`);
  return f;
}

function checkVector(field, vector) {
  if (!vector || vector.length !== 3) throw new TypeError(`${field} must be [x, y, z]`);
  return [checkFloat(`${field}.x`, vector[0]), checkFloat(`${field}.y`, vector[1]), checkFloat(`${field}.z`, vector[2])];
}

/** The longest prefix of whole characters of `text` within `maxBytes` bytes of UTF-8. */
export function truncateUtf8(text, maxBytes) {
  if (encoder.encode(text).length <= maxBytes) return text;
  let used = 0;
  let out = '';
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (used + n > maxBytes) break;
    used += n;
    out += ch;
  }
  return out;
}

/** Byte length of a text in UTF-8. */
export function utf8Length(text) {
  return encoder.encode(text).length;
}

/** Login (0x01), version 8: credential kind 1 when `password` is given, else 2 with `token`. */
export function encodeLogin({ name, password = null, token = null, startRegion = '' } = {}) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.login);
  w.u16(PROTOCOL_VERSION);
  w.string(textBytes('login.name', name, LIMITS.name));
  if (password !== null && password !== undefined) {
    w.u8(1);
    w.string(textBytes('login.password', password, LIMITS.password));
  } else if (token !== null && token !== undefined) {
    w.u8(2);
    w.string(textBytes('login.token', token, LIMITS.token));
  } else {
    throw new TypeError('login needs a password or a session token');
  }
  w.string(textBytes('login.startRegion', startRegion ?? '', LIMITS.name));
  return w.done();
}

/** Move (0x02): mode 0 stop 1 walk 2 run 3 fly; heading u16; vertical −1, 0 or 1. */
export function encodeMove(mode, heading, vertical) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.move);
  w.u8(checkInteger('move.mode', mode, 0, 3));
  w.u16(checkInteger('move.heading', heading, 0, 65535));
  w.i8(checkInteger('move.vertical', vertical, -1, 1));
  return w.done();
}

/** Chat (0x03): chatType 0 whisper, 1 say, 2 shout; channel i32; text ≤ 1023 bytes. */
export function encodeChat(chatType, channel, text) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.chat);
  w.u8(checkInteger('chat.type', chatType, 0, 2));
  w.i32(checkInteger('chat.channel', channel, -2147483648, 2147483647));
  w.string(textBytes('chat.text', text, LIMITS.chat));
  return w.done();
}

/** CreateObject (0x04): shape 1 box 2 sphere 3 cylinder; `physical` sets flags bit 0. */
export function encodeCreateObject(requestID, shape, position, rotation, scale, name, { physical = false } = {}) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.createObject);
  w.u32(checkInteger('createObject.requestID', requestID, 0, 0xffffffff));
  w.u8(checkInteger('createObject.shape', shape, 1, 3));
  for (const v of checkVector('createObject.position', position)) w.f32(v);
  if (!rotation || rotation.length !== 4) throw new TypeError('createObject.rotation must be [x, y, z, w]');
  for (const [i, c] of rotation.entries()) w.f32(checkFloat(`createObject.rotation[${i}]`, c));
  for (const v of checkVector('createObject.scale', scale)) w.f32(v);
  w.string(textBytes('createObject.name', name, LIMITS.name));
  w.u8(physical ? 1 : 0);
  return w.done();
}

/** DeleteObject (0x05). */
export function encodeDeleteObject(requestID, localID) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.deleteObject);
  w.u32(checkInteger('deleteObject.requestID', requestID, 0, 0xffffffff));
  w.u32(checkInteger('deleteObject.localID', localID, 0, 0xffffffff));
  return w.done();
}

/** Ping (0x06): nonce u32, clientTimeMillis u64 (a Number or a BigInt). */
export function encodePing(nonce, clientTimeMillis) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.ping);
  w.u32(checkInteger('ping.nonce', nonce, 0, 0xffffffff));
  let t = clientTimeMillis;
  if (typeof t === 'number') t = BigInt(checkInteger('ping.clientTimeMillis', Math.floor(t), 0, Number.MAX_SAFE_INTEGER));
  if (typeof t !== 'bigint' || t < 0n || t > 0xffffffffffffffffn) throw new RangeError('ping.clientTimeMillis must be a u64');
  w.u64(t);
  return w.done();
}

/** Logout (0x07): no body. */
export function encodeLogout() {
  return Uint8Array.of(MESSAGE_TYPES.logout);
}

/** Teleport (0x09): by region name, or (region empty) by grid position; position [x, y, z] or null. */
export function encodeTeleport(requestID, region, gridX = 0, gridY = 0, position = null) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.teleport);
  w.u32(checkInteger('teleport.requestID', requestID, 0, 0xffffffff));
  w.string(textBytes('teleport.region', region ?? '', LIMITS.name));
  w.u32(checkInteger('teleport.gridX', gridX, 0, LIMITS.maxGridCoordinate));
  w.u32(checkInteger('teleport.gridY', gridY, 0, LIMITS.maxGridCoordinate));
  if (position === null || position === undefined) {
    w.u8(0);
  } else {
    w.u8(1);
    for (const v of checkVector('teleport.position', position)) w.f32(v);
  }
  return w.done();
}

/** MoveObject (0x0A). */
export function encodeMoveObject(requestID, localID, position) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.moveObject);
  w.u32(checkInteger('moveObject.requestID', requestID, 0, 0xffffffff));
  w.u32(checkInteger('moveObject.localID', localID, 0, 0xffffffff));
  for (const v of checkVector('moveObject.position', position)) w.f32(v);
  return w.done();
}

/** PushObject (0x0B): impulse [x, y, z] in newton-seconds. */
export function encodePushObject(requestID, localID, impulse) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.pushObject);
  w.u32(checkInteger('pushObject.requestID', requestID, 0, 0xffffffff));
  w.u32(checkInteger('pushObject.localID', localID, 0, 0xffffffff));
  for (const v of checkVector('pushObject.impulse', impulse)) w.f32(v);
  return w.done();
}

/** TouchObject (0x0C): phase 1 start, 2 end. */
export function encodeTouch(localID, phase) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.touchObject);
  w.u32(checkInteger('touchObject.localID', localID, 0, 0xffffffff));
  w.u8(checkInteger('touchObject.phase', phase, 1, 2));
  return w.done();
}

/** ObjectContentsRequest (0x0F). */
export function encodeObjectContentsRequest(requestID, localID) {
  const w = new Writer();
  w.u8(MESSAGE_TYPES.objectContentsRequest);
  w.u32(checkInteger('objectContentsRequest.requestID', requestID, 0, 0xffffffff));
  w.u32(checkInteger('objectContentsRequest.localID', localID, 0, 0xffffffff));
  return w.done();
}

// ---------------------------------------------------------------------------------------------
// Server → client

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Reads the fields of one message body; every read is bounded by the body's end. */
class Reader {
  constructor(view, offset, end) {
    this.view = view;
    this.offset = offset;
    this.end = end;
  }
  get remaining() {
    return this.end - this.offset;
  }
  take(n, field) {
    if (this.end - this.offset < n) throw new ProtocolError(field, 'truncated');
    const at = this.offset;
    this.offset += n;
    return at;
  }
  u8(field) { return this.view.getUint8(this.take(1, field)); }
  i8(field) { return this.view.getInt8(this.take(1, field)); }
  u16(field) { return this.view.getUint16(this.take(2, field), true); }
  i16(field) { return this.view.getInt16(this.take(2, field), true); }
  u32(field) { return this.view.getUint32(this.take(4, field), true); }
  i32(field) { return this.view.getInt32(this.take(4, field), true); }
  u64(field) { return this.view.getBigUint64(this.take(8, field), true); }
  f32(field) {
    const v = this.view.getFloat32(this.take(4, field), true);
    if (!Number.isFinite(v)) throw new ProtocolError(field, 'not a finite number');
    return v;
  }
  vec3(field) { return [this.f32(field), this.f32(field), this.f32(field)]; }
  /** An f32 in [0, 1] (appearance colours and alphas). */
  unit(field) {
    const v = this.f32(field);
    if (!(v >= 0 && v <= 1)) throw new ProtocolError(field, `${v} is not in 0...1`);
    return v;
  }
  /** A u32 grid coordinate, at most 2^24 − 1 (whose corner in metres fits a handle's 32 bits). */
  gridCoordinate(field) {
    const v = this.u32(field);
    if (v > LIMITS.maxGridCoordinate) throw new ProtocolError(field, `${v} is past the grid's largest position ${LIMITS.maxGridCoordinate}`);
    return v;
  }
  enumeration(field, allowed) {
    const v = this.u8(field);
    if (!allowed.includes(v)) throw new ProtocolError(field, `unknown value ${v}`);
    return v;
  }
  bool(field) {
    const v = this.u8(field);
    if (v > 1) throw new ProtocolError(field, `expected 0 or 1, got ${v}`);
    return v === 1;
  }
  textOfCount(field, count, maxBytes) {
    if (count > maxBytes) throw new ProtocolError(field, `${count} bytes, at most ${maxBytes} allowed`);
    const at = this.take(count, field);
    const bytes = new Uint8Array(this.view.buffer, this.view.byteOffset + at, count);
    if (bytes.includes(0)) throw new ProtocolError(field, 'contains U+0000 (NUL), which no text field may hold');
    try {
      return decoder.decode(bytes);
    } catch {
      throw new ProtocolError(field, 'not valid UTF-8');
    }
  }
  string(field, maxBytes) { return this.textOfCount(field, this.u16(field), maxBytes); }
  uuid(field) {
    const at = this.take(16, field);
    let s = '';
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
      s += HEX[this.view.getUint8(at + i)];
    }
    return s;
  }
  bytes(field, n) {
    const at = this.take(n, field);
    return new Uint8Array(this.view.buffer.slice(this.view.byteOffset + at, this.view.byteOffset + at + n));
  }
  /** An array count, refused when the bytes left cannot hold that many elements, or above `max`. */
  count(field, minElementBytes, max = Infinity) {
    const n = this.u32(field);
    if (n > Math.floor(this.remaining / minElementBytes)) throw new ProtocolError(field, `count ${n} exceeds the bytes left`);
    if (n > max) throw new ProtocolError(field, `${n} elements, at most ${max} allowed`);
    return n;
  }
  /** PackedPosition → packed integers [X, Y, Z] (from the two u32 halves of the u64). */
  packedPosition(field) {
    const at = this.take(8, field);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    return [lo & 0xfffff, (lo >>> 20) | ((hi & 0xff) << 12), hi >>> 8];
  }
  rotation(field) { return unpackRotation(this.u32(field)); }
  velocity(field) { return [this.i16(field) / 100, this.i16(field) / 100, this.i16(field) / 100]; }
  varint(field) {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8(field);
      if (i === 4) {
        if (byte & 0x80) throw new ProtocolError(field, 'varint longer than 5 bytes');
        if (byte > 0x0f) throw new ProtocolError(field, 'varint value needs more than 32 bits');
      }
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return value;
    }
    return value; // not reached
  }
  zigzag(field) {
    const u = this.varint(field);
    // n = (u >> 1) xor −(u & 1), as a signed 32-bit integer
    return u % 2 === 0 ? u / 2 : -(u - 1) / 2 - 1;
  }
  appearance(field) {
    return {
      text: this.string(`${field}.text`, LIMITS.floatingText),
      textColor: [this.unit(`${field}.textColor`), this.unit(`${field}.textColor`), this.unit(`${field}.textColor`)],
      textAlpha: this.unit(`${field}.textAlpha`),
      color: [this.unit(`${field}.color`), this.unit(`${field}.color`), this.unit(`${field}.color`)],
      alpha: this.unit(`${field}.alpha`),
    };
  }
}

const DECODERS = new Map();

DECODERS.set(0x81, (r) => {
  const agentID = r.uuid('welcome.agentID');
  const localID = r.u32('welcome.localID');
  const regionName = r.string('welcome.regionName', LIMITS.name);
  const handle = r.u64('welcome.regionHandle');
  const { gridX, gridY } = gridFromHandle(handle);
  return {
    type: 'welcome', agentID, localID, regionName, regionHandle: handle, gridX, gridY,
    frameRate: r.u16('welcome.frameRate'),
    updateRate: r.u16('welcome.updateRate'),
    viewDistance: r.f32('welcome.viewDistance'),
    sessionToken: r.string('welcome.sessionToken', LIMITS.token),
  };
});

DECODERS.set(0x82, (r) => ({
  type: 'frameStamp',
  frame: r.u64('frameStamp.frame'),
  timeMillis: Number(r.u64('frameStamp.timeMillis')),
  timeDilation: r.u16('frameStamp.timeDilation') / 65535,
}));

DECODERS.set(0x83, (r) => {
  const localID = r.u32('entityEnter.localID');
  const kind = r.enumeration('entityEnter.kind', [1, 2]);
  const shape = r.enumeration('entityEnter.shape', [1, 2, 3]);
  const name = r.string('entityEnter.name', LIMITS.name);
  const scale = r.vec3('entityEnter.scale');
  const packedPosition = r.packedPosition('entityEnter.position');
  const rotation = r.rotation('entityEnter.rotation');
  const velocity = r.velocity('entityEnter.velocity');
  // Optional (version 6): a body that ends after the motion has no appearance.
  const appearance = r.remaining === 0 ? null : r.appearance('entityEnter.appearance');
  return {
    type: 'entityEnter', localID, kind, shape, name, scale,
    position: packedToMetres(...packedPosition), rotation, velocity, appearance, packedPosition,
  };
});

DECODERS.set(0x84, (r) => {
  const localID = r.u32('entityUpdate.localID');
  const mask = r.u8('entityUpdate.mask');
  if (mask & 0xf8) throw new ProtocolError('entityUpdate.mask', `0x${mask.toString(16)}: bits 3 to 7 must be zero`);
  const update = { type: 'entityUpdate', localID };
  if (mask & 0x01) {
    update.packedPosition = r.packedPosition('entityUpdate.position');
    update.position = packedToMetres(...update.packedPosition);
  }
  if (mask & 0x02) update.rotation = r.rotation('entityUpdate.rotation');
  if (mask & 0x04) update.velocity = r.velocity('entityUpdate.velocity');
  return update;
});

DECODERS.set(0x85, (r) => ({ type: 'entityLeave', localID: r.u32('entityLeave.localID') }));

DECODERS.set(0x86, (r) => {
  const speaker = r.u32('chatReceived.speaker');
  const speakerName = r.string('chatReceived.speakerName', LIMITS.name);
  const chatType = r.enumeration('chatReceived.type', [0, 1, 2, 3, 4]);
  const channel = r.i32('chatReceived.channel');
  const position = packedToMetres(...r.packedPosition('chatReceived.position'));
  const text = r.string('chatReceived.text', LIMITS.chat);
  // Optional (version 6): a body that ends after the text has no speaker kind.
  const speakerKind = r.remaining === 0 ? null : r.enumeration('chatReceived.speakerKind', [1, 2]);
  return { type: 'chat', speaker, speakerName, chatType, channel, position, text, speakerKind };
});

DECODERS.set(0x87, (r) => ({
  type: 'objectResult',
  requestID: r.u32('objectResult.requestID'),
  outcome: r.enumeration('objectResult.outcome', [1, 2, 3, 4, 5]),
  localID: r.u32('objectResult.localID'),
}));

DECODERS.set(0x88, (r) => {
  const code = r.u16('error.code');
  return {
    type: 'error', code, name: ERROR_CODES[code] ?? null,
    requestID: r.u32('error.requestID'),
    message: r.string('error.message', LIMITS.errorMessage),
  };
});

DECODERS.set(0x89, (r) => ({
  type: 'pong',
  nonce: r.u32('pong.nonce'),
  clientTimeMillis: Number(r.u64('pong.clientTimeMillis')),
}));

function decodeOptionalUUID(r, field) {
  const id = r.uuid(field);
  return id === '00000000-0000-0000-0000-000000000000' ? null : id;
}

function decodeAssetID(r, field) {
  const at = r.take(32, field);
  let s = '';
  for (let i = 0; i < 32; i++) s += HEX[r.view.getUint8(at + i)];
  return s;
}

function decodeInventoryAnswer(r) {
  const kind = r.enumeration('answer.kind', [0, 1, 2, 3, 4, 5, 6]);
  switch (kind) {
    case 0:
      return { kind: 'done' };
    case 1:
      return { kind: 'id', id: r.uuid('answer.id') };
    case 2:
      return { kind: 'count', count: r.u32('answer.count') };
    case 3: {
      const folder = r.uuid('page.folder');
      const total = r.u32('page.total');
      const start = r.u32('page.start');
      const folders = [];
      for (let n = r.count('page.folders', 35); n > 0; n--) {
        folders.push({
          id: r.uuid('folder.id'),
          parent: decodeOptionalUUID(r, 'folder.parent'),
          kind: r.u8('folder.kind'),
          name: r.string('folder.name', LIMITS.name),
        });
      }
      const items = [];
      for (let n = r.count('page.items', 104); n > 0; n--) {
        items.push({
          id: r.uuid('item.id'),
          folder: r.uuid('item.folder'),
          asset: decodeAssetID(r, 'item.asset'),
          assetType: r.i16('item.assetType'),
          name: r.string('item.name', LIMITS.name),
          creator: decodeOptionalUUID(r, 'item.creator'),
          base: r.u32('item.base'),
          owner: r.u32('item.owner'),
          group: r.u32('item.group'),
          everyone: r.u32('item.everyone'),
          nextOwner: r.u32('item.nextOwner'),
        });
      }
      return { kind: 'page', folder, total, start, folders, items };
    }
    case 4:
      return { kind: 'asset', asset: decodeAssetID(r, 'answer.asset') };
    case 5: {
      const asset = decodeAssetID(r, 'chunk.asset');
      const assetType = r.i16('chunk.type');
      const name = r.string('chunk.name', LIMITS.name);
      const creator = decodeOptionalUUID(r, 'chunk.creator');
      const createdMillis = Number(r.u64('chunk.created'));
      const totalSize = r.u32('chunk.totalSize');
      const offset = r.u32('chunk.offset');
      const size = r.u32('chunk.data');
      if (size > LIMITS.assetChunkBytes) throw new ProtocolError('chunk.data', `${size} bytes, at most ${LIMITS.assetChunkBytes} allowed`);
      const data = r.bytes('chunk.data', size);
      return { kind: 'assetChunk', asset, assetType, name, creator, createdMillis, totalSize, offset, data };
    }
    default:
      return {
        kind: 'rezzed',
        object: r.uuid('answer.object'),
        localID: r.u32('answer.localID'),
      };
  }
}

DECODERS.set(0x8a, (r) => {
  const requestID = r.u32('inventoryReply.requestID');
  const status = r.u16('status.code');
  const message = r.string('status.message', LIMITS.errorMessage);
  const answer = status === 0 ? decodeInventoryAnswer(r) : null;
  return { type: 'inventory', requestID, status, message, answer };
});

DECODERS.set(0x8b, (r) => {
  const kind = r.enumeration('regionChanged.kind', [1, 2]);
  const localID = r.u32('regionChanged.localID');
  const regionName = r.string('regionChanged.regionName', LIMITS.name);
  const handle = r.u64('regionChanged.regionHandle');
  const { gridX, gridY } = gridFromHandle(handle);
  return {
    type: 'regionChanged', kind, localID, regionName, regionHandle: handle, gridX, gridY,
    startedMillis: Number(r.u64('regionChanged.startedMillis')),
    requestID: r.u32('regionChanged.requestID'),
  };
});

DECODERS.set(0x8c, (r) => ({
  type: 'alert',
  scope: r.enumeration('alert.scope', [0, 1, 2]),
  text: r.string('alert.text', LIMITS.alertText),
}));

DECODERS.set(0x8d, (r) => {
  const requestID = r.u32('objectContents.requestID');
  const localID = r.u32('objectContents.localID');
  const items = [];
  for (let n = r.count('objectContents.items', 6, LIMITS.objectContentsItems); n > 0; n--) {
    items.push({
      name: r.string('objectContents.item.name', LIMITS.name),
      kind: r.enumeration('objectContents.item.kind', [1, 2]),
      running: r.bool('objectContents.item.running'),
      error: r.string('objectContents.item.error', LIMITS.contentError),
    });
  }
  return { type: 'objectContents', requestID, localID, items };
});

DECODERS.set(0x8e, (r) => {
  const localID = r.u32('scriptDiagnostics.localID');
  const objectName = r.string('scriptDiagnostics.objectName', LIMITS.name);
  const item = r.string('scriptDiagnostics.item', LIMITS.name);
  const compile = r.bool('scriptDiagnostics.compile');
  const lines = [];
  for (let n = r.count('scriptDiagnostics.lines', 2, LIMITS.diagnosticLines); n > 0; n--) {
    lines.push(r.string('scriptDiagnostics.lines', LIMITS.diagnosticLine));
  }
  return { type: 'scriptDiagnostics', localID, objectName, item, compile, lines };
});

DECODERS.set(0x8f, (r) => ({
  type: 'objectAppearance',
  localID: r.u32('objectAppearance.localID'),
  appearance: r.appearance('objectAppearance.appearance'),
}));

DECODERS.set(0x90, (r) => {
  const entries = [];
  let previous = -1;
  while (r.remaining > 0) {
    const gap = r.varint('entityDeltas.idGap');
    const localID = previous + 1 + gap;
    if (localID > 0xffffffff) {
      throw new ProtocolError('entityDeltas.idGap', `local ID ${localID} after ${previous} is above 2^32 − 1`);
    }
    previous = localID;
    const flags = r.u8('entityDeltas.flags');
    const problem = deltaFlagsProblem(flags);
    if (problem) throw new ProtocolError('entityDeltas.flags', `0x${flags.toString(16)}: ${problem}`);
    const entry = { localID, flags };
    if (flags & 0x01) {
      entry.dx = r.zigzag('entityDeltas.dx');
      entry.dy = r.zigzag('entityDeltas.dy');
    }
    if (flags & 0x02) entry.dz = r.zigzag('entityDeltas.dz');
    if (flags & 0x04) {
      entry.packedPosition = r.packedPosition('entityDeltas.position');
      entry.position = packedToMetres(...entry.packedPosition);
    }
    if (flags & 0x08) {
      entry.yaw = r.u16('entityDeltas.yaw');
      entry.rotation = rotationFromYaw(entry.yaw);
    }
    if (flags & 0x10) entry.rotation = r.rotation('entityDeltas.rotation');
    if (flags & 0x20) {
      entry.velocity = [
        r.i8('entityDeltas.shortVelocity') / 16,
        r.i8('entityDeltas.shortVelocity') / 16,
        r.i8('entityDeltas.shortVelocity') / 16,
      ];
    }
    if (flags & 0x40) entry.velocity = r.velocity('entityDeltas.velocity');
    entries.push(entry);
  }
  return { type: 'entityDeltas', entries };
});

function deltaFlagsProblem(flags) {
  if (flags & 0x80) return 'bit 7 is set';
  if (flags & 0x04 && flags & 0x03) return 'an absolute position (0x04) with a position change (0x01 or 0x02)';
  if ((flags & 0x18) === 0x18) return 'both yaw (0x08) and rotation (0x10)';
  if ((flags & 0x60) === 0x60) return 'both short (0x20) and full (0x40) velocity';
  return null;
}

DECODERS.set(0x91, (r) => {
  const regions = [];
  for (let n = r.count('regionMap.regions', 10, LIMITS.regionMapEntries); n > 0; n--) {
    regions.push({
      name: r.string('regionMap.name', LIMITS.name),
      gridX: r.gridCoordinate('regionMap.gridX'),
      gridY: r.gridCoordinate('regionMap.gridY'),
    });
  }
  return { type: 'regionMap', regions };
});

DECODERS.set(0x92, (r) => {
  const handle = r.u64('regionTerrain.regionHandle');
  const { gridX, gridY } = gridFromHandle(handle);
  const base = r.f32('regionTerrain.base');
  if (!(base >= 0 && base < 4096)) throw new ProtocolError('regionTerrain.base', `${base} m is not in [0, 4096)`);
  const hills = [];
  for (let n = r.count('regionTerrain.hills', 16, LIMITS.terrainHills); n > 0; n--) {
    const x = r.f32('regionTerrain.hill.x');
    const y = r.f32('regionTerrain.hill.y');
    const radius = r.f32('regionTerrain.hill.radius');
    if (!(radius > 0 && radius <= 512)) throw new ProtocolError('regionTerrain.hill.radius', `${radius} m is not in (0, 512]`);
    const height = r.f32('regionTerrain.hill.height');
    if (!(Math.abs(height) <= 200)) throw new ProtocolError('regionTerrain.hill.height', `${height} m is not within ±200`);
    hills.push({ x, y, radius, height });
  }
  return { type: 'regionTerrain', regionHandle: handle, gridX, gridY, base, hills };
});

/**
 * Decodes one server WebSocket binary frame (an ArrayBuffer, or a typed array / DataView over
 * one) into its messages, in order. Unknown types are skipped by their length. Throws
 * ProtocolError when a header or a known message is malformed (a body that is too short, has
 * bytes left over, or breaks a rule of the doc).
 */
export function decodeFrame(frame) {
  let view;
  if (frame instanceof ArrayBuffer) view = new DataView(frame);
  else if (ArrayBuffer.isView(frame)) view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  else throw new TypeError('decodeFrame needs an ArrayBuffer');
  const messages = [];
  let offset = 0;
  const length = view.byteLength;
  while (offset < length) {
    const type = view.getUint8(offset);
    if (length - offset < 3) throw new ProtocolError('message.length', 'truncated');
    const bodyLength = view.getUint16(offset + 1, true);
    const start = offset + 3;
    const end = start + bodyLength;
    if (end > length) {
      throw new ProtocolError(`message body of type 0x${type.toString(16)}`, `${bodyLength} bytes announced, ${length - start} left in the frame`);
    }
    offset = end;
    const decode = DECODERS.get(type);
    if (!decode) continue;
    const reader = new Reader(view, start, end);
    const message = decode(reader);
    if (reader.remaining !== 0) {
      throw new ProtocolError(`message of type 0x${type.toString(16)}`, `${reader.remaining} trailing bytes`);
    }
    messages.push(message);
  }
  return messages;
}

// ---------------------------------------------------------------------------------------------
// MotionMirror: what a version 7+ client holds for each entity (docs: "What a client keeps")

const X_LIMIT = HORIZONTAL_STEPS;
const Z_LIMIT = VERTICAL_STEPS;

function packedOf(message) {
  if (message.packedPosition) return message.packedPosition.slice();
  return metresToPacked(...message.position);
}

/**
 * Holds, per local ID, the packed position integers X, Y, Z, the rotation and the velocity, and
 * applies EntityEnter, EntityUpdate and EntityDeltas to them exactly as the doc says.
 */
export class MotionMirror {
  constructor() {
    this.held = new Map();
  }

  /** An EntityEnter replaces whatever was held for its local ID. */
  enter(e) {
    const [X, Y, Z] = packedOf(e);
    this.held.set(e.localID, { X, Y, Z, rotation: e.rotation.slice(), velocity: e.velocity.slice() });
  }

  /** An EntityUpdate (versions ≤ 6). Returns false (and changes nothing) for an entity not held. */
  applyUpdate(u) {
    const state = this.held.get(u.localID);
    if (!state) return false;
    if (u.position) [state.X, state.Y, state.Z] = packedOf(u);
    if (u.rotation) state.rotation = u.rotation.slice();
    if (u.velocity) state.velocity = u.velocity.slice();
    return true;
  }

  /**
   * Applies an EntityDeltas message (the decoded object, or its entries). Entries for entities
   * not held are ignored (the doc: log and ignore). Returns the local IDs changed, in order.
   * Throws ProtocolError ('entityDeltas.position') when a position change leaves the packed
   * range; nothing of the message is applied then.
   */
  applyDeltas(d) {
    const entries = Array.isArray(d) ? d : d.entries;
    const next = new Map();
    const changed = [];
    for (const entry of entries) {
      const held = next.get(entry.localID) ?? this.held.get(entry.localID);
      if (!held) continue;
      const state = { X: held.X, Y: held.Y, Z: held.Z, rotation: held.rotation, velocity: held.velocity };
      if (entry.packedPosition || entry.position) {
        [state.X, state.Y, state.Z] = packedOf(entry);
      } else if (entry.dx !== undefined || entry.dz !== undefined) {
        const X = held.X + 16 * (entry.dx ?? 0);
        const Y = held.Y + 16 * (entry.dy ?? 0);
        const Z = held.Z + 32 * (entry.dz ?? 0);
        if (X < 0 || X >= X_LIMIT || Y < 0 || Y >= X_LIMIT || Z < 0 || Z >= Z_LIMIT) {
          throw new ProtocolError(
            'entityDeltas.position',
            `entity ${entry.localID}: moving (${held.X}, ${held.Y}, ${held.Z}) by (${entry.dx ?? 0}, ${entry.dy ?? 0}, ${entry.dz ?? 0}) leaves the packed range`,
          );
        }
        state.X = X;
        state.Y = Y;
        state.Z = Z;
      }
      if (entry.yaw !== undefined) state.rotation = rotationFromYaw(entry.yaw);
      else if (entry.rotation) state.rotation = entry.rotation.slice();
      if (entry.velocity) state.velocity = entry.velocity.slice();
      next.set(entry.localID, state);
      if (entry.flags !== 0 && !changed.includes(entry.localID)) changed.push(entry.localID);
    }
    for (const [id, state] of next) this.held.set(id, state);
    return changed;
  }

  leave(id) {
    return this.held.delete(id);
  }

  clear() {
    this.held.clear();
  }

  has(id) {
    return this.held.has(id);
  }

  get size() {
    return this.held.size;
  }

  ids() {
    return [...this.held.keys()];
  }

  /** The packed integers [X, Y, Z] held for an entity, or null. */
  packed(id) {
    const s = this.held.get(id);
    return s ? [s.X, s.Y, s.Z] : null;
  }

  /** `{ position, rotation, velocity }` in metres, a unit quaternion, m/s; null when not held. */
  get(id) {
    const s = this.held.get(id);
    if (!s) return null;
    return { position: packedToMetres(s.X, s.Y, s.Z), rotation: s.rotation.slice(), velocity: s.velocity.slice() };
  }
}

// ---------------------------------------------------------------------------------------------
// Errors and closes in words a person understands

function withDetail(sentence, message) {
  const detail = typeof message === 'string' ? message.trim() : '';
  return detail ? `${sentence} (${detail})` : sentence;
}

/** A sentence for an error code (an `Error` message's code, or close code − 4000). */
export function describeError(code, message = '') {
  const detail = typeof message === 'string' ? message.trim() : '';
  switch (code) {
    case 1: return withDetail('The server could not read a message from this viewer.', detail);
    case 2: return withDetail('The server does not know a message this viewer sent.', detail);
    case 3: return withDetail('Not logged in yet, or the login took too long.', detail);
    case 4: return 'This connection is already logged in.';
    case 5: return withDetail('That name is not allowed: a name is letters A to Z and digits, in parts separated by single spaces, starting with a letter.', detail);
    case 6: return withDetail('The region is full. Try again later or pick another region.', detail);
    case 7: return withDetail('The region is not available right now.', detail);
    case 8: return withDetail('A value was not accepted.', detail);
    case 9: return withDetail('There is no such thing here.', detail);
    case 10: return withDetail('That is not allowed.', detail);
    case 11: return withDetail('Too many requests. Wait a little, then try again.', detail);
    case 12: return withDetail('The region holds as many objects as it can.', detail);
    case 13: return 'The server is full. Try again later.';
    case 14: return 'The connection was too slow to keep up with the world.';
    case 15: return 'This viewer speaks a protocol version the server does not support.';
    case 16: return 'Wrong name or password.';
    case 17: return 'The session has expired or is not valid. Log in with your password.';
    case 18: return withDetail('The grid services are unavailable or busy. Try again in a few seconds.', detail);
    case 19: return withDetail('No such folder in your inventory.', detail);
    case 20: return withDetail('No such inventory item.', detail);
    case 21: return withDetail('No such asset.', detail);
    case 22: return withDetail('No avatar has that name.', detail);
    case 23: return 'A folder cannot be moved into itself.';
    case 24: return 'System folders cannot be changed.';
    case 25: return 'That asset is too large.';
    case 26: return 'You logged in again somewhere else, so this session ended.';
    case 27: return withDetail('Could not move to the other region.', detail);
    case 28: return detail ? `An administrator removed you from the grid: ${detail}` : 'An administrator removed you from the grid.';
    case 29: return detail ? `The region is restarting: ${detail}` : 'The region is restarting.';
    default: return detail || `Error ${code}.`;
  }
}

/** A sentence for a WebSocket close (code and reason). */
export function describeClose(code, reason = '') {
  const detail = typeof reason === 'string' ? reason.trim() : '';
  if (code >= 4000 && code <= 4999) {
    const errorCode = code - 4000;
    switch (errorCode) {
      case 1:
      case 2:
        return withDetail('The viewer and the server did not understand each other, so the server closed the connection.', detail);
      case 3:
        return 'The server did not receive the login in time.';
      case 10:
        // notAllowed at login: logins closed by an admin (the reason is their message), or the account disabled.
        return withDetail('Logins are closed, or this account is disabled.', detail);
      case 11:
        return 'Too many failed logins from here. Wait a few minutes, then try again.';
      default:
        break;
    }
    if (ERROR_CODES[errorCode] !== undefined) return describeError(errorCode, detail);
    return withDetail(`The server closed the connection (code ${code}).`, detail);
  }
  switch (code) {
    case 1000: return detail === 'logout' || detail === '' ? 'You logged out.' : withDetail('The connection was closed.', detail);
    case 1001: return detail === 'Ping timeout' ? 'The connection timed out.' : 'The server is shutting down.';
    case 1006: return 'The connection was lost.';
    case 1009: return 'A message was too big for the server.';
    case 1005: return 'The connection was closed.';
    default: return withDetail(`The connection closed (code ${code}).`, detail);
  }
}
