// Tests of viewer/protocol.js against docs/client-protocol.md: the doc's byte examples, each
// encoder's exact bytes, malformed frames, and random round trips against an encoder written
// here, independently of protocol.js. Run with `node --test Tests/viewer/`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as P from '../../Sources/TesseraClientManager/Resources/viewer/protocol.js';

const SOURCE_URL = new URL('../../Sources/TesseraClientManager/Resources/viewer/protocol.js', import.meta.url);

// ---------------------------------------------------------------------------------------------
// Helpers

/** Bytes of a hex dump as the doc prints them ("82 12 00 …", any whitespace). */
function hex(text) {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  return Uint8Array.from(parts.map((h) => {
    assert.match(h, /^[0-9A-Fa-f]{2}$/);
    return parseInt(h, 16);
  }));
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** A frame's ArrayBuffer (what a browser WebSocket with binaryType 'arraybuffer' delivers). */
function buffer(bytes) {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function assertClose(actual, expected, tolerance, label = '') {
  assert.equal(actual.length, expected.length, `${label} length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${label}[${i}]: ${actual[i]} vs ${expected[i]} (±${tolerance})`);
  }
}

/** Asserts two unit quaternions are the same rotation within `tolerance` per component (q ≡ −q). */
function assertSameRotation(actual, expected, tolerance, label) {
  const dot = actual.reduce((sum, c, i) => sum + c * expected[i], 0);
  assertClose(actual, dot < 0 ? expected.map((c) => -c) : expected, tolerance, label);
}

/** Asserts that decoding throws a ProtocolError whose field is `field`. */
function assertMalformed(bytes, field) {
  assert.throws(
    () => P.decodeFrame(buffer(bytes)),
    (error) => {
      assert.ok(error instanceof P.ProtocolError, `expected ProtocolError, got ${error}`);
      assert.ok(error instanceof Error);
      assert.equal(error.field, field, `field of "${error.message}"`);
      assert.ok(error.message.startsWith(field));
      return true;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// An independent encoder of server messages (little-endian by hand, BigInt for 64-bit values)

class Bytes {
  constructor() { this.out = []; }
  u8(v) { this.out.push(v & 0xff); return this; }
  i8(v) { return this.u8(v < 0 ? v + 256 : v); }
  u16(v) { return this.u8(v).u8(v >>> 8); }
  i16(v) { return this.u16(v < 0 ? v + 65536 : v); }
  u32(v) { const u = v >>> 0; return this.u8(u).u8(u >>> 8).u8(u >>> 16).u8(u >>> 24); }
  i32(v) { return this.u32(v); }
  u64(v) {
    let b = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < 8; i++) { this.u8(Number(b & 0xffn)); b >>= 8n; }
    return this;
  }
  f32(v) {
    const a = new Float32Array([v]);
    for (const b of new Uint8Array(a.buffer)) this.u8(b); // the test runs on a little-endian machine
    return this;
  }
  raw(bytes) { for (const b of bytes) this.u8(b); return this; }
  string(text) { const b = new TextEncoder().encode(text); return this.u16(b.length).raw(b); }
  uuid(text) { return this.raw(text.replace(/-/g, '').match(/../g).map((h) => parseInt(h, 16))); }
  varint(v) {
    let rest = v;
    while (rest >= 0x80) { this.u8((rest % 128) | 0x80); rest = Math.floor(rest / 128); }
    return this.u8(rest);
  }
  zigzag(n) { return this.varint(n >= 0 ? 2 * n : -2 * n - 1); }
  bytes() { return Uint8Array.from(this.out); }
}

assert.equal(new Uint8Array(new Uint16Array([1]).buffer)[0], 1, 'little-endian host');

/** A server frame of messages [type, bodyBytes]. */
function frame(...messages) {
  const b = new Bytes();
  for (const [type, body] of messages) b.u8(type).u16(body.length).raw(body);
  return b.bytes();
}

/** Packed position raw value (BigInt) of packed integers, as the doc writes it. */
function rawPosition(X, Y, Z) {
  return BigInt(X) + BigInt(Y) * 2n ** 20n + BigInt(Z) * 2n ** 40n;
}

function metres(X, Y, Z) {
  return [X / 2048 - 128, Y / 2048 - 128, Z / 4096];
}

/** The doc's smallest-three decoder, written again. */
function decodeRotation(raw) {
  const b = 0.7071067811865476;
  const i = Math.floor(raw / 2 ** 30);
  const steps = [Math.floor(raw / 2 ** 20) % 1024, Math.floor(raw / 2 ** 10) % 1024, raw % 1024];
  const q = [];
  let k = 0;
  for (let c = 0; c < 4; c++) q.push(c === i ? null : (steps[k++] / 1022) * 2 * b - b);
  const sum = q.reduce((s, c) => s + (c === null ? 0 : c * c), 0);
  q[i] = Math.sqrt(Math.max(0, 1 - sum));
  const n = Math.sqrt(q.reduce((s, c) => s + c * c, 0));
  return q.map((c) => c / n);
}

/** The doc's smallest-three encoder, written again. */
function encodeRotation(q0) {
  const n = Math.sqrt(q0.reduce((sum, c) => sum + c * c, 0));
  let q = !Number.isFinite(n) || n <= 1e-6 ? [0, 0, 0, 1] : q0.map((c) => c / n);
  let i = 0;
  for (let k = 1; k < 4; k++) if (Math.abs(q[k]) > Math.abs(q[i])) i = k;
  if (q[i] < 0) q = q.map((c) => -c);
  const b = 0.7071067811865476;
  const steps = q.filter((_, k) => k !== i).map((c) => Math.round((Math.min(Math.max(c, -b), b) + b) / (2 * b) * 1022));
  return i * 2 ** 30 + steps[0] * 2 ** 20 + steps[1] * 2 ** 10 + steps[2];
}

// Random values from a seeded generator, so that a failure can be reproduced.
function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[int(0, list.length - 1)];
  const f32 = (lo, hi) => Math.fround(lo + next() * (hi - lo));
  const alphabet = ['a', 'Z', '0', ' ', 'é', 'ß', '€', '日', '本', '😀', '\u{FEFF}', '\n', '<', '&'];
  const text = (maxBytes) => {
    let t = '';
    const length = int(0, 12);
    for (let i = 0; i < length; i++) {
      const c = pick(alphabet);
      if (new TextEncoder().encode(t + c).length > maxBytes) break;
      t += c;
    }
    return t;
  };
  const uuid = () => Array.from({ length: 16 }, () => int(0, 255).toString(16).padStart(2, '0')).join('')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  return { next, int, pick, f32, text, uuid };
}

// ---------------------------------------------------------------------------------------------
// The doc's worked examples

describe('worked examples of docs/client-protocol.md', () => {
  test('C→S Login (the doc is version 3; ours says 8)', () => {
    const doc = hex('01 03 00 03 00 41 64 61 01 0D 00 63 6F 72 72 65 63 74 20 68 6F 72 73 65 00 00');
    const expected = doc.slice();
    expected[1] = 8;
    const bytes = P.encodeLogin({ name: 'Ada', password: 'correct horse' });
    assert.equal(toHex(bytes), toHex(expected));
    assert.equal(bytes.length, 26);
    assert.ok(bytes instanceof Uint8Array);
  });

  test('C→S Login with the session token: credential kind 2', () => {
    const bytes = P.encodeLogin({ name: 'Ada', token: 'tok', startRegion: 'Tessera East' });
    assert.equal(toHex(bytes), toHex(new Bytes().u8(1).u16(8).string('Ada').u8(2).string('tok').string('Tessera East').bytes()));
  });

  test('C→S Move: walk, heading east, level', () => {
    assert.equal(toHex(P.encodeMove(1, 0, 0)), '02 01 00 00 00');
  });

  test('S→C FrameStamp + EntityUpdate (position only)', () => {
    const bytes = hex(`82 12 00 94 11 00 00 00 00 00 00 00 A8 DA 76 9B 01 00 00 FF FF
                       84 0D 00 2A 00 00 00 01 00 00 08 40 60 00 50 01`);
    assert.equal(bytes.length, 37);
    const messages = P.decodeFrame(buffer(bytes));
    assert.equal(messages.length, 2);
    assert.deepEqual(messages[0], { type: 'frameStamp', frame: 4500n, timeMillis: 1767225600000, timeDilation: 1 });
    const update = messages[1];
    assert.equal(update.type, 'entityUpdate');
    assert.equal(update.localID, 42);
    assert.deepEqual(update.position, [128.0, 64.5, 21.0]);
    assert.deepEqual(update.packedPosition, [0x80000, 0x60400, 0x15000]);
    assert.equal(update.rotation, undefined);
    assert.equal(update.velocity, undefined);
    assert.equal(new Date(messages[0].timeMillis).toISOString(), '2026-01-01T00:00:00.000Z');
  });

  test('packed position: the worked example and the region corner', () => {
    assert.equal(P.packPosition(524288, 394240, 86016), 0x0150006040080000n);
    assert.deepEqual(P.unpackPosition(0x0150006040080000n), [524288, 394240, 86016]);
    assert.deepEqual(P.metresToPacked(128.0, 64.5, 21.0), [524288, 394240, 86016]);
    assert.deepEqual(P.packedToMetres(524288, 394240, 86016), [128, 64.5, 21]);
    assert.deepEqual(P.unpackPosition(0x0000004000040000n), [2 ** 18, 2 ** 18, 0]);
    assert.deepEqual(P.packedToMetres(...P.unpackPosition(0x0000004000040000n)), [0, 0, 0]);
    // Clamping and the non-finite rule: NaN encodes as 0 m, the step 2^18 for x and y.
    assert.deepEqual(P.metresToPacked(-1000, 1000, 5000), [0, 2 ** 20 - 1, 2 ** 24 - 1]);
    assert.deepEqual(P.metresToPacked(NaN, Infinity, NaN), [2 ** 18, 2 ** 18, 0]);
    assert.deepEqual(P.packedToMetres(0, 2 ** 20 - 1, 2 ** 24 - 1), [-128, 383.99951171875, 4095.999755859375]);
  });

  test('packed rotation: the table of examples', () => {
    assert.equal(P.packRotation([0, 0, 0, 1]), 0xdff7fdff);
    assert.deepEqual(P.unpackRotation(0xdff7fdff), [0, 0, 0, 1]);
    assert.equal(P.packRotation([0, 0, 0.5, Math.sqrt(3) / 2]), 0xdff7ff68);
    assertClose(P.unpackRotation(0xdff7ff68), [0, 0, 0.49954, 0.86629], 5e-6, 'yaw 60°');
    assert.equal(P.packRotation([0, 0, -Math.sqrt(3) / 2, 0.5]), 0x9ff7fc96);
    assertClose(P.unpackRotation(0x9ff7fc96), [0, 0, 0.86629, -0.49954], 5e-6, 'negated');
    // Step 511 decodes to exactly 0; a zero or non-finite quaternion encodes as the identity.
    assert.equal(P.packRotation([0, 0, 0, 0]), 0xdff7fdff);
    assert.equal(P.packRotation([NaN, 0, 0, 1]), 0xdff7fdff);
    // Ties go to the lowest index: (0.5, 0.5, 0.5, 0.5) drops x.
    assert.equal(P.packRotation([0.5, 0.5, 0.5, 0.5]) >>> 30, 0);
  });

  test('packed rotation: random quaternions against the encoder written here', () => {
    const r = rng(60);
    for (let i = 0; i < 2000; i++) {
      const q = [r.f32(-1, 1), r.f32(-1, 1), r.f32(-1, 1), r.f32(-1, 1)];
      const raw = P.packRotation(q);
      assert.equal(raw, encodeRotation(q), `${q}`);
      const n = Math.hypot(...q);
      const unit = q.map((c) => c / n);
      // Decoded within the resolution (about 0.0014 per component), up to sign.
      const back = P.unpackRotation(raw);
      const dot = back.reduce((sum, c, k) => sum + c * unit[k], 0);
      assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-5, `${q} → ${back}`);
    }
  });

  test('EntityDeltas: the four-entity example, decoded and applied', () => {
    const bytes = hex(`90 26 00
      05 01 52 00
      03 29 00 04 00 40 00 33 00
      A2 02 42 8F 03 00 00 00 00 2C FC
      00 14 00 40 0A 00 72 00 90 01 FE FF F7 5F`);
    assert.equal(bytes.length, 3 + 38);
    const [message] = P.decodeFrame(buffer(bytes));
    assert.equal(message.type, 'entityDeltas');
    const [e5, e9, e300, e301] = message.entries;
    assert.equal(message.entries.length, 4);
    assert.deepEqual([e5.localID, e5.flags, e5.dx, e5.dy, e5.dz], [5, 0x01, 41, 0, undefined]);
    assert.deepEqual([e9.localID, e9.flags, e9.dx, e9.dy, e9.yaw], [9, 0x29, 0, 2, 0x4000]);
    assertClose(e9.rotation, [0, 0, Math.SQRT1_2, Math.SQRT1_2], 1e-15, 'yaw rotation');
    assert.deepEqual(e9.velocity, [0, 3.1875, 0]);
    assert.deepEqual([e300.localID, e300.flags, e300.dz], [300, 0x42, -200]);
    assert.deepEqual(e300.velocity, [0, 0, -9.8]);
    assert.deepEqual([e301.localID, e301.flags], [301, 0x14]);
    assert.deepEqual(e301.packedPosition, [671744, 466944, 102400]);
    assert.deepEqual(e301.position, [200, 100, 25]);
    assertClose(e301.rotation, [0, Math.SQRT1_2, 0, Math.SQRT1_2], 1e-15, 'tilted about y');

    // Each entity was held at (10, 20, 30) m (X 282 624, Y 303 104, Z 122 880), yaw 0.
    const mirror = new P.MotionMirror();
    const held = { X: 282624, Y: 303104, Z: 122880 };
    assert.deepEqual(P.metresToPacked(10, 20, 30), [held.X, held.Y, held.Z]);
    for (const id of [5, 9, 300, 301]) {
      mirror.enter({ localID: id, position: [10, 20, 30], rotation: [0, 0, 0, 1], velocity: [0, 0, 0] });
    }
    mirror.enter({ localID: 7, position: [1, 2, 3], rotation: [0, 0, 0, 1], velocity: [0, 0, 0] });
    assert.deepEqual(mirror.applyDeltas(message), [5, 9, 300, 301]);
    assert.deepEqual(mirror.packed(5), [283280, held.Y, held.Z]); // X += 656
    assert.deepEqual(mirror.packed(9), [held.X, 303136, held.Z]); // Y += 32
    assert.deepEqual(mirror.packed(300), [held.X, held.Y, 116480]); // Z −= 6400
    assert.deepEqual(mirror.packed(301), [671744, 466944, 102400]);
    assertClose(mirror.get(5).position, [10.3203125, 20, 30], 0, 'entity 5');
    assert.deepEqual(mirror.get(300).position, [10, 20, 28.4375]);
    assert.deepEqual(mirror.get(300).velocity, [0, 0, -9.8]);
    assert.deepEqual(mirror.get(5).rotation, [0, 0, 0, 1]);
    assertClose(mirror.get(9).rotation, [0, 0, Math.SQRT1_2, Math.SQRT1_2], 1e-15, 'entity 9');
    assert.deepEqual(mirror.get(9).velocity, [0, 3.1875, 0]);
    assert.deepEqual(mirror.get(7).position, P.packedToMetres(...P.metresToPacked(1, 2, 3)));
  });

  test('C→S InventoryRequest bytes decode as the doc says (S→C replies)', () => {
    const success = hex(`82 12 00 95 11 00 00 00 00 00 00 64 A8 DA 76 9B 01 00 00 FF FF
      8A 19 00 07 00 00 00 00 00 00 00 01 0B 7D 9E 21 3C 44 4A 55 9F 66 77 88 99 AA BB CC`);
    assert.equal(success.length, 49);
    const [stamp, reply] = P.decodeFrame(buffer(success));
    assert.deepEqual(stamp, { type: 'frameStamp', frame: 4501n, timeMillis: 1767225600100, timeDilation: 1 });
    assert.deepEqual(reply, {
      type: 'inventory', requestID: 7, status: 0, message: '',
      answer: { kind: 'id', id: '0b7d9e21-3c44-4a55-9f66-778899aabbcc' },
    });
    const failure = hex(`8A 28 00 07 00 00 00 13 00 20 00 6E 6F 20 73 75 63 68 20 66 6F 6C 64 65 72 20 69 6E 20 74 68 69 73 20 69 6E 76 65 6E 74 6F 72 79`);
    assert.deepEqual(P.decodeFrame(buffer(failure)), [{
      type: 'inventory', requestID: 7, status: 19, message: 'no such folder in this inventory', answer: null,
    }]);
  });

  test('RegionMap (version 8): two regions, Plaza and East', () => {
    const bytes = hex(`91 21 00 02 00 00 00 05 00 50 6C 61 7A 61 E8 03 00 00 E8 03 00 00 04 00 45 61 73 74
                       E9 03 00 00 E8 03 00 00`);
    assert.deepEqual(P.decodeFrame(buffer(bytes)), [{
      type: 'regionMap',
      regions: [{ name: 'Plaza', gridX: 1000, gridY: 1000 }, { name: 'East', gridX: 1001, gridY: 1000 }],
    }]);
  });

  test('RegionTerrain (version 8): grid (1, 0), base 21 m, one hill', () => {
    const bytes = hex(`92 20 00 00 00 00 00 00 01 00 00 00 00 A8 41 01 00 00 00 00 00 00 43 00 00 C0 42
                       00 00 20 42 00 00 C0 40`);
    const [terrain] = P.decodeFrame(buffer(bytes));
    assert.deepEqual(terrain, {
      type: 'regionTerrain', regionHandle: 0x0000010000000000n, gridX: 1, gridY: 0, base: 21,
      hills: [{ x: 128, y: 96, radius: 40, height: 6 }],
    });
    assert.equal(P.regionHandle(1, 0), 0x0000010000000000n);
    assert.equal(P.terrainHeight(terrain, 128, 96), 27);
    assertClose([P.terrainHeight(terrain, 148, 96)], [24], 1e-12, 'half-way down the hill');
    assert.equal(P.terrainHeight(terrain, 168, 96), 21);
    assert.equal(P.terrainHeight(terrain, 200, 96), 21);
  });

  test('uuid: RFC 4122 byte order', () => {
    const body = new Bytes().raw(hex('12 3e 45 67 e8 9b 12 d3 a4 56 42 66 14 17 40 00')).u32(42).string('Tessera')
      .u64(P.regionHandle(1000, 1001)).u16(45).u16(10).f32(64).string('').bytes();
    const [welcome] = P.decodeFrame(buffer(frame([0x81, body])));
    assert.deepEqual(welcome, {
      type: 'welcome', agentID: '123e4567-e89b-12d3-a456-426614174000', localID: 42, regionName: 'Tessera',
      regionHandle: (256000n << 32n) | 256256n, gridX: 1000, gridY: 1001, frameRate: 45, updateRate: 10,
      viewDistance: 64, sessionToken: '',
    });
  });

  test('varint and zigzag: the doc\'s values', () => {
    // idGap is a varint: a single entry's local ID equals its idGap.
    const idOf = (varintHex) => P.decodeFrame(buffer(frame([0x90, hex(`${varintHex} 00`)])))[0].entries[0].localID;
    assert.equal(idOf('00'), 0);
    assert.equal(idOf('7F'), 127);
    assert.equal(idOf('80 01'), 128);
    assert.equal(idOf('A2 02'), 290);
    assert.equal(idOf('FF FF FF FF 0F'), 2 ** 32 - 1);
    assert.equal(idOf('80 00'), 0, 'a longer form than needed is accepted');
    assert.equal(idOf('FF FF FF FF 00'), 2 ** 28 - 1);
    // dz is a zigzag.
    const dzOf = (zigzagHex) => P.decodeFrame(buffer(frame([0x90, hex(`01 02 ${zigzagHex}`)])))[0].entries[0].dz;
    assert.equal(dzOf('00'), 0);
    assert.equal(dzOf('01'), -1);
    assert.equal(dzOf('02'), 1);
    assert.equal(dzOf('03'), -2);
    assert.equal(dzOf('52'), 41);
    assert.equal(dzOf('8F 03'), -200);
    assert.equal(dzOf('FF FF FF FF 0F'), -(2 ** 31));
    assert.equal(dzOf('FE FF FF FF 0F'), 2 ** 31 - 1);
    assertMalformed(frame([0x90, hex('80 80 80 80 80 01 00')]), 'entityDeltas.idGap'); // a sixth byte
    assertMalformed(frame([0x90, hex('80 80 80 80 10 00')]), 'entityDeltas.idGap'); // more than 32 bits
    assertMalformed(frame([0x90, hex('01 02 80 80 80 80 1F')]), 'entityDeltas.dz');
    assertMalformed(frame([0x90, hex('01 01 80')]), 'entityDeltas.dx'); // truncated
  });

  test('heading: the table and the rounding', () => {
    assert.equal(P.headingFromRadians(0), 0);
    assert.equal(P.headingFromRadians(Math.PI / 2), 16384);
    assert.equal(P.headingFromRadians(Math.PI), 32768);
    assert.equal(P.headingFromRadians((3 * Math.PI) / 2), 49152);
    assert.equal(P.headingFromRadians(-Math.PI / 2), 49152);
    assert.equal(P.headingFromRadians(2 * Math.PI), 0);
    assert.equal(P.headingFromRadians(-1e-9), 0, 'just under a full turn rounds to 65536 mod 65536 = 0');
    assert.equal(P.headingFromRadians(7 * Math.PI), 32768);
    assert.equal(P.headingFromRadians(NaN), 0);
    assert.equal(P.headingFromRadians((2.5 / 65536) * 2 * Math.PI), 3, 'halves up');
    assert.equal(P.radiansFromHeading(16384), Math.PI / 2);
  });

  test('time dilation: decode d = timeDilation / 65535', () => {
    const stamp = (d) => P.decodeFrame(buffer(frame([0x82, new Bytes().u64(0).u64(0).u16(d).bytes()])))[0];
    assert.equal(stamp(65535).timeDilation, 1);
    assert.equal(stamp(0).timeDilation, 0);
    assert.equal(stamp(32768).timeDilation, 32768 / 65535);
  });
});

// ---------------------------------------------------------------------------------------------
// Encoders: exact bytes

describe('encoders', () => {
  test('Move', () => {
    assert.equal(toHex(P.encodeMove(3, 0xc000, -1)), '02 03 00 C0 FF');
    assert.equal(toHex(P.encodeMove(2, 16384, 1)), '02 02 00 40 01');
    assert.equal(toHex(P.encodeMove(0, 65535, 0)), '02 00 FF FF 00');
    assert.throws(() => P.encodeMove(4, 0, 0), RangeError);
    assert.throws(() => P.encodeMove(1, 65536, 0), RangeError);
    assert.throws(() => P.encodeMove(1, 0, 2), RangeError);
    assert.throws(() => P.encodeMove(1, 0.5, 0), RangeError);
  });

  test('Chat', () => {
    assert.equal(toHex(P.encodeChat(1, 0, 'hi')), '03 01 00 00 00 00 02 00 68 69');
    assert.equal(toHex(P.encodeChat(2, -1, 'é')), '03 02 FF FF FF FF 02 00 C3 A9');
    assert.equal(toHex(P.encodeChat(0, 2147483647, '')), '03 00 FF FF FF 7F 00 00');
    assert.equal(P.encodeChat(1, 0, 'x'.repeat(1023)).length, 8 + 1023);
    assert.throws(() => P.encodeChat(1, 0, 'x'.repeat(1024)), RangeError);
    assert.throws(() => P.encodeChat(1, 0, 'é'.repeat(512)), RangeError, 'the limit is in bytes');
    assert.throws(() => P.encodeChat(3, 0, 'x'), RangeError, 'regionSay is for objects only');
    assert.throws(() => P.encodeChat(1, 2 ** 31, 'x'), RangeError);
    assert.throws(() => P.encodeChat(1, 0, 'a\u0000b'), RangeError);
  });

  test('Ping, Logout', () => {
    assert.equal(toHex(P.encodePing(7, 1767225600000)), '06 07 00 00 00 00 A8 DA 76 9B 01 00 00');
    assert.equal(toHex(P.encodePing(0xffffffff, 0xffffffffffffffffn)), '06 FF FF FF FF FF FF FF FF FF FF FF FF');
    assert.equal(P.encodePing(1, 2).length, 13);
    assert.equal(toHex(P.encodeLogout()), '07');
  });

  test('Teleport', () => {
    assert.equal(toHex(P.encodeTeleport(9, 'East')), '09 09 00 00 00 04 00 45 61 73 74 00 00 00 00 00 00 00 00 00');
    assert.equal(
      toHex(P.encodeTeleport(1, '', 1000, 1001, [128, 64.5, 21])),
      '09 01 00 00 00 00 00 E8 03 00 00 E9 03 00 00 01 00 00 00 43 00 00 81 42 00 00 A8 41',
    );
    assert.equal(P.encodeTeleport(1, 'ab').length, 16 + 2);
    assert.equal(P.encodeTeleport(1, 'ab', 0, 0, [1, 2, 3]).length, 28 + 2);
    assert.throws(() => P.encodeTeleport(1, '', 2 ** 24, 0), RangeError);
    assert.throws(() => P.encodeTeleport(1, '', 0, 0, [NaN, 0, 0]), RangeError);
    assert.throws(() => P.encodeTeleport(1, '', 0, 0, [1e39, 0, 0]), RangeError, 'not finite as f32');
  });

  test('TouchObject, PushObject, DeleteObject, MoveObject, ObjectContentsRequest', () => {
    assert.equal(toHex(P.encodeTouch(300, 1)), '0C 2C 01 00 00 01');
    assert.equal(toHex(P.encodeTouch(300, 2)), '0C 2C 01 00 00 02');
    assert.throws(() => P.encodeTouch(300, 3), RangeError);
    assert.equal(toHex(P.encodePushObject(5, 6, [1, -2, 0.5])), '0B 05 00 00 00 06 00 00 00 00 00 80 3F 00 00 00 C0 00 00 00 3F');
    assert.equal(toHex(P.encodeDeleteObject(5, 6)), '05 05 00 00 00 06 00 00 00');
    assert.equal(toHex(P.encodeMoveObject(5, 6, [0, 0, 1])), '0A 05 00 00 00 06 00 00 00 00 00 00 00 00 00 00 00 00 00 80 3F');
    assert.equal(toHex(P.encodeObjectContentsRequest(1, 2)), '0F 01 00 00 00 02 00 00 00');
  });

  test('CreateObject', () => {
    const bytes = P.encodeCreateObject(3, 1, [1, 2, 3], [0, 0, 0, 1], [0.5, 0.5, 0.5], 'Box', { physical: true });
    assert.equal(bytes.length, 49 + 3);
    const expected = new Bytes().u8(4).u32(3).u8(1).f32(1).f32(2).f32(3).f32(0).f32(0).f32(0).f32(1)
      .f32(0.5).f32(0.5).f32(0.5).string('Box').u8(1).bytes();
    assert.equal(toHex(bytes), toHex(expected));
  });

  test('Login limits', () => {
    assert.throws(() => P.encodeLogin({ name: 'x'.repeat(64), password: 'p' }), RangeError);
    assert.throws(() => P.encodeLogin({ name: 'Ada', password: 'p'.repeat(257) }), RangeError);
    assert.throws(() => P.encodeLogin({ name: 'Ada', token: 't'.repeat(129) }), RangeError);
    assert.throws(() => P.encodeLogin({ name: 'Ada', password: 'p', startRegion: 'r'.repeat(64) }), RangeError);
    assert.throws(() => P.encodeLogin({ name: 'Ada' }), TypeError);
    assert.equal(P.encodeLogin({ name: 'x'.repeat(63), password: 'p'.repeat(256) }).length, 10 + 63 + 256);
    // The password wins when both are given; an empty password is still a password.
    assert.equal(P.encodeLogin({ name: 'A', password: '', token: 't' })[6], 1);
  });

  test('truncateUtf8 keeps whole characters', () => {
    assert.equal(P.truncateUtf8('héllo', 2), 'h');
    assert.equal(P.truncateUtf8('héllo', 3), 'hé');
    assert.equal(P.truncateUtf8('😀😀', 5), '😀');
    assert.equal(P.truncateUtf8('abc', 10), 'abc');
    assert.equal(P.utf8Length('日本'), 6);
  });
});

// ---------------------------------------------------------------------------------------------
// Every server message, and malformed frames

const STANDARD_APPEARANCE = { text: '', textColor: [1, 1, 1], textAlpha: 1, color: [1, 1, 1], alpha: 1 };

function appearanceBytes(b, a) {
  b.string(a.text);
  for (const c of a.textColor) b.f32(c);
  b.f32(a.textAlpha);
  for (const c of a.color) b.f32(c);
  return b.f32(a.alpha);
}

function enterBody({ localID = 3, kind = 2, shape = 1, name = 'Box', scale = [1, 2, 3], X = 2 ** 18, Y = 2 ** 18, Z = 86016, rotation = 0xdff7fdff, velocity = [320, 0, -5], appearance = null } = {}) {
  const b = new Bytes().u32(localID).u8(kind).u8(shape).string(name);
  for (const s of scale) b.f32(s);
  b.u64(rawPosition(X, Y, Z)).u32(rotation);
  for (const v of velocity) b.i16(v);
  if (appearance) appearanceBytes(b, appearance);
  return b.bytes();
}

function chatBody({ speakerKind = 1, text = 'hello', type = 1 } = {}) {
  const b = new Bytes().u32(42).string('Ada').u8(type).i32(-7).u64(rawPosition(2 ** 19, 2 ** 18, 4096)).string(text);
  if (speakerKind !== null) b.u8(speakerKind);
  return b.bytes();
}

describe('server messages', () => {
  test('EntityEnter with and without appearance', () => {
    const [plain] = P.decodeFrame(buffer(frame([0x83, enterBody()])));
    assert.deepEqual(plain, {
      type: 'entityEnter', localID: 3, kind: 2, shape: 1, name: 'Box', scale: [1, 2, 3],
      position: [0, 0, 21], rotation: [0, 0, 0, 1], velocity: [3.2, 0, -0.05], appearance: null,
      packedPosition: [2 ** 18, 2 ** 18, 86016],
    });
    const appearance = { text: 'Touch me', textColor: [1, 0, 0], textAlpha: 0.5, color: [0, 0.25, 1], alpha: 0 };
    const [rich] = P.decodeFrame(buffer(frame([0x83, enterBody({ appearance })])));
    assert.deepEqual(rich.appearance, appearance);
    assert.equal(enterBody().length, 38 + 3);
    assert.equal(enterBody({ appearance }).length, 72 + 3 + 8);
  });

  test('EntityUpdate masks (version ≤ 6 form)', () => {
    const body = new Bytes().u32(9).u8(0x06).u32(0xdff7ff68).i16(-100).i16(0).i16(100).bytes();
    const [u] = P.decodeFrame(buffer(frame([0x84, body])));
    assert.equal(u.position, undefined);
    assertClose(u.rotation, [0, 0, 0.49954, 0.86629], 5e-6, 'rotation');
    assert.deepEqual(u.velocity, [-1, 0, 1]);
    const [none] = P.decodeFrame(buffer(frame([0x84, new Bytes().u32(9).u8(0).bytes()])));
    assert.deepEqual(none, { type: 'entityUpdate', localID: 9 });
    assertMalformed(frame([0x84, new Bytes().u32(9).u8(0x08).bytes()]), 'entityUpdate.mask');
    assertMalformed(frame([0x84, new Bytes().u32(9).u8(0x01).u32(0).bytes()]), 'entityUpdate.position');
  });

  test('EntityLeave, ObjectResult, Error, Pong, Alert', () => {
    const messages = P.decodeFrame(buffer(frame(
      [0x85, new Bytes().u32(77).bytes()],
      [0x87, new Bytes().u32(5).u8(4).u32(77).bytes()],
      [0x88, new Bytes().u16(16).u32(0).string('bad credentials').bytes()],
      [0x88, new Bytes().u16(999).u32(3).string('').bytes()],
      [0x89, new Bytes().u32(0xfffffffe).u64(1767225600123).bytes()],
      [0x8c, new Bytes().u8(2).string('Restart in 5 minutes').bytes()],
    )));
    assert.deepEqual(messages, [
      { type: 'entityLeave', localID: 77 },
      { type: 'objectResult', requestID: 5, outcome: 4, localID: 77 },
      { type: 'error', code: 16, name: 'badCredentials', requestID: 0, message: 'bad credentials' },
      { type: 'error', code: 999, name: null, requestID: 3, message: '' },
      { type: 'pong', nonce: 0xfffffffe, clientTimeMillis: 1767225600123 },
      { type: 'alert', scope: 2, text: 'Restart in 5 minutes' },
    ]);
    assertMalformed(frame([0x87, new Bytes().u32(5).u8(6).u32(77).bytes()]), 'objectResult.outcome');
    assertMalformed(frame([0x8c, new Bytes().u8(3).string('x').bytes()]), 'alert.scope');
    assertMalformed(frame([0x8c, new Bytes().u8(0).string('x'.repeat(1025)).bytes()]), 'alert.text');
    assertMalformed(frame([0x88, new Bytes().u16(1).u32(0).string('x'.repeat(1025)).bytes()]), 'error.message');
  });

  test('ChatReceived with and without the speaker kind', () => {
    const [v6] = P.decodeFrame(buffer(frame([0x86, chatBody({ type: 4, speakerKind: 2 })])));
    assert.deepEqual(v6, {
      type: 'chat', speaker: 42, speakerName: 'Ada', chatType: 4, channel: -7, position: [128, 0, 1],
      text: 'hello', speakerKind: 2,
    });
    const [v5] = P.decodeFrame(buffer(frame([0x86, chatBody({ speakerKind: null })])));
    assert.equal(v5.speakerKind, null);
    assertMalformed(frame([0x86, chatBody({ speakerKind: 3 })]), 'chatReceived.speakerKind');
    assertMalformed(frame([0x86, chatBody({ type: 5 })]), 'chatReceived.type');
    assertMalformed(frame([0x86, new Uint8Array([...chatBody(), 0])]), 'message of type 0x86');
  });

  test('RegionChanged', () => {
    const body = new Bytes().u8(2).u32(12).string('Tessera East').u64(P.regionHandle(1001, 1000)).u64(1767225600500).u32(77).bytes();
    assert.equal(body.length, 27 + 12);
    assert.deepEqual(P.decodeFrame(buffer(frame([0x8b, body]))), [{
      type: 'regionChanged', kind: 2, localID: 12, regionName: 'Tessera East', regionHandle: P.regionHandle(1001, 1000),
      gridX: 1001, gridY: 1000, startedMillis: 1767225600500, requestID: 77,
    }]);
    assert.equal(P.regionHandle(1001, 1000), (256256n << 32n) | 256000n);
    assert.deepEqual(P.gridFromHandle((256256n << 32n) | 256000n), { gridX: 1001, gridY: 1000 });
    const bad = new Bytes().u8(3).u32(12).string('E').u64(0).u64(0).u32(0).bytes();
    assertMalformed(frame([0x8b, bad]), 'regionChanged.kind');
  });

  test('ObjectAppearance', () => {
    const appearance = { text: 'Sale!', textColor: [0, 1, 0], textAlpha: 1, color: [0.5, 0.5, 0.5], alpha: 1 };
    const body = appearanceBytes(new Bytes().u32(8), appearance).bytes();
    assert.equal(body.length, 38 + 5);
    assert.deepEqual(P.decodeFrame(buffer(frame([0x8f, body]))), [{ type: 'objectAppearance', localID: 8, appearance }]);
    const red = appearanceBytes(new Bytes().u32(8), { ...STANDARD_APPEARANCE, alpha: 1.0001 }).bytes();
    assertMalformed(frame([0x8f, red]), 'objectAppearance.appearance.alpha');
    const negative = appearanceBytes(new Bytes().u32(8), { ...STANDARD_APPEARANCE, textColor: [1, -0.1, 1] }).bytes();
    assertMalformed(frame([0x8f, negative]), 'objectAppearance.appearance.textColor');
    const long = appearanceBytes(new Bytes().u32(8), { ...STANDARD_APPEARANCE, text: 'x'.repeat(256) }).bytes();
    assertMalformed(frame([0x8f, long]), 'objectAppearance.appearance.text');
  });

  test('ObjectContents and ScriptDiagnostics', () => {
    const contents = new Bytes().u32(4).u32(8).u32(2)
      .string('greeter').u8(1).u8(1).string('')
      .string('ball').u8(2).u8(0).string('').bytes();
    assert.deepEqual(P.decodeFrame(buffer(frame([0x8d, contents]))), [{
      type: 'objectContents', requestID: 4, localID: 8,
      items: [{ name: 'greeter', kind: 1, running: true, error: '' }, { name: 'ball', kind: 2, running: false, error: '' }],
    }]);
    const tooMany = new Bytes().u32(4).u32(8).u32(17);
    for (let i = 0; i < 17; i++) tooMany.string('s').u8(1).u8(0).string('');
    assertMalformed(frame([0x8d, tooMany.bytes()]), 'objectContents.items');
    const running2 = new Bytes().u32(4).u32(8).u32(1).string('s').u8(1).u8(2).string('').bytes();
    assertMalformed(frame([0x8d, running2]), 'objectContents.item.running');

    const diagnostics = new Bytes().u32(8).string('Box').string('greeter').u8(1).u32(2)
      .string('greeter:1:5: error: unknown name').string('… 5 more').bytes();
    assert.deepEqual(P.decodeFrame(buffer(frame([0x8e, diagnostics]))), [{
      type: 'scriptDiagnostics', localID: 8, objectName: 'Box', item: 'greeter', compile: true,
      lines: ['greeter:1:5: error: unknown name', '… 5 more'],
    }]);
    const compile2 = new Bytes().u32(8).string('Box').string('g').u8(2).u32(0).bytes();
    assertMalformed(frame([0x8e, compile2]), 'scriptDiagnostics.compile');
  });

  test('InventoryReply answers: done, count, page, asset, assetChunk, rezzed', () => {
    const reply = (answer) => new Bytes().u32(1).u16(0).string('').raw(answer.bytes()).bytes();
    const decode = (answer) => P.decodeFrame(buffer(frame([0x8a, reply(answer)])))[0].answer;
    assert.deepEqual(decode(new Bytes().u8(0)), { kind: 'done' });
    assert.deepEqual(decode(new Bytes().u8(2).u32(12)), { kind: 'count', count: 12 });
    const asset = 'ab'.repeat(32);
    assert.deepEqual(decode(new Bytes().u8(4).raw(hex(asset.match(/../g).join(' ')))), { kind: 'asset', asset });
    const object = '5f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    assert.deepEqual(decode(new Bytes().u8(6).uuid(object).u32(99)), { kind: 'rezzed', object, localID: 99 });
    const page = new Bytes().u8(3).uuid(object).u32(2).u32(0)
      .u32(1).uuid('0b7d9e21-3c44-4a55-9f66-778899aabbcc').uuid('00000000-0000-0000-0000-000000000000').u8(2).string('Objects')
      .u32(1).uuid('0b7d9e21-3c44-4a55-9f66-778899aabbcd').uuid(object).raw(new Uint8Array(32)).i16(10).string('greeter')
      .uuid('00000000-0000-0000-0000-000000000000').u32(0x8000 | 0x4000 | 0x2000 | 0x80000).u32(0x8000).u32(0).u32(0).u32(0x2000);
    assert.deepEqual(decode(page), {
      kind: 'page', folder: object, total: 2, start: 0,
      folders: [{ id: '0b7d9e21-3c44-4a55-9f66-778899aabbcc', parent: null, kind: 2, name: 'Objects' }],
      items: [{
        id: '0b7d9e21-3c44-4a55-9f66-778899aabbcd', folder: object, asset: '00'.repeat(32), assetType: 10, name: 'greeter',
        creator: null, base: 0x8000 | 0x4000 | 0x2000 | 0x80000, owner: 0x8000, group: 0, everyone: 0, nextOwner: 0x2000,
      }],
    });
    const chunk = decode(new Bytes().u8(5).raw(new Uint8Array(32).fill(1)).i16(-1).string('a').uuid(object).u64(5).u32(3).u32(1)
      .u32(2).raw([7, 8]));
    assert.deepEqual(chunk, {
      kind: 'assetChunk', asset: '01'.repeat(32), assetType: -1, name: 'a', creator: object, createdMillis: 5,
      totalSize: 3, offset: 1, data: Uint8Array.of(7, 8),
    });
    assertMalformed(frame([0x8a, reply(new Bytes().u8(7))]), 'answer.kind');
    assertMalformed(frame([0x8a, reply(new Bytes().u8(3).uuid(object).u32(0).u32(0).u32(1000))]), 'page.folders');
    assertMalformed(frame([0x8a, reply(new Bytes().u8(5).raw(new Uint8Array(32)).i16(0).string('').uuid(object).u64(0).u32(0).u32(0).u32(60001))]), 'chunk.data');
  });

  test('RegionMap (0x91)', () => {
    const body = new Bytes().u32(3).string('Tessera').u32(1000).u32(1000).string('Tessera East').u32(1001).u32(1000)
      .string('').u32(0).u32(16777215).bytes();
    assert.deepEqual(P.decodeFrame(buffer(frame([0x91, body]))), [{
      type: 'regionMap',
      regions: [
        { name: 'Tessera', gridX: 1000, gridY: 1000 },
        { name: 'Tessera East', gridX: 1001, gridY: 1000 },
        { name: '', gridX: 0, gridY: 16777215 },
      ],
    }]);
    assert.deepEqual(P.decodeFrame(buffer(frame([0x91, new Bytes().u32(0).bytes()]))), [{ type: 'regionMap', regions: [] }]);
    const full = new Bytes().u32(256);
    for (let i = 0; i < 256; i++) full.string('').u32(i).u32(0);
    assert.equal(P.decodeFrame(buffer(frame([0x91, full.bytes()])))[0].regions.length, 256);
    const over = new Bytes().u32(257);
    for (let i = 0; i < 257; i++) over.string('').u32(i).u32(0);
    assertMalformed(frame([0x91, over.bytes()]), 'regionMap.regions');
    assertMalformed(frame([0x91, new Bytes().u32(2).string('').u32(0).u32(0).bytes()]), 'regionMap.regions'); // forged count
    assertMalformed(frame([0x91, new Bytes().u32(1).string('x'.repeat(64)).u32(0).u32(0).bytes()]), 'regionMap.name');
    assertMalformed(frame([0x91, new Bytes().u32(1).string('A').u32(16777216).u32(0).bytes()]), 'regionMap.gridX');
    assertMalformed(frame([0x91, new Bytes().u32(1).string('A').u32(0).u32(4294967295).bytes()]), 'regionMap.gridY');
  });

  test('RegionTerrain (0x92) and terrainHeight', () => {
    const handle = P.regionHandle(1000, 1001);
    const body = new Bytes().u64(handle).f32(21).u32(2).f32(128).f32(128).f32(40).f32(10).f32(0).f32(0).f32(20).f32(-4).bytes();
    assert.equal(body.length, 16 + 32);
    const [terrain] = P.decodeFrame(buffer(frame([0x92, body])));
    assert.deepEqual(terrain, {
      type: 'regionTerrain', regionHandle: handle, gridX: 1000, gridY: 1001, base: 21,
      hills: [{ x: 128, y: 128, radius: 40, height: 10 }, { x: 0, y: 0, radius: 20, height: -4 }],
    });
    assert.equal(P.terrainHeight(terrain, 128, 128), 31);
    assert.equal(P.terrainHeight(terrain, 128 + 40, 128), 21, 'd = r is outside the hill');
    assertClose([P.terrainHeight(terrain, 148, 128)], [26], 1e-12, 'half-way: 0.5 · (1 + cos(π/2))');
    assertClose([P.terrainHeight(terrain, 128, 128 + 30)], [21 + 10 * 0.5 * (1 + Math.cos((Math.PI * 30) / 40))], 1e-12);
    assert.equal(P.terrainHeight(terrain, -50, -50), 17, 'clamped to the corner, the second hill\'s centre');
    assert.equal(P.terrainHeight(terrain, 300, 128), 21);
    assert.equal(P.terrainHeight({ base: 21, hills: [] }, 5, 5), 21);
    const over = new Bytes().u64(handle).f32(21).u32(65);
    for (let i = 0; i < 65; i++) over.f32(1).f32(1).f32(1).f32(1);
    assertMalformed(frame([0x92, over.bytes()]), 'regionTerrain.hills');
    assertMalformed(frame([0x92, new Bytes().u64(handle).f32(NaN).u32(0).bytes()]), 'regionTerrain.base');
    assertMalformed(frame([0x92, new Bytes().u64(handle).f32(21).u32(1).f32(1).f32(Infinity).f32(1).f32(1).bytes()]), 'regionTerrain.hill.y');
    assertMalformed(frame([0x92, new Bytes().u64(handle).f32(21).u32(1).f32(1).bytes()]), 'regionTerrain.hills');
    const hill = (x, y, radius, height) => frame([0x92, new Bytes().u64(handle).f32(21).u32(1).f32(x).f32(y).f32(radius).f32(height).bytes()]);
    assertMalformed(hill(1, 1, 0, 1), 'regionTerrain.hill.radius');
    assertMalformed(hill(1, 1, -3, 1), 'regionTerrain.hill.radius');
    assertMalformed(hill(1, 1, 512.0001, 1), 'regionTerrain.hill.radius');
    assertMalformed(hill(1, 1, 5, 200.001), 'regionTerrain.hill.height');
    assertMalformed(hill(1, 1, 5, -200.001), 'regionTerrain.hill.height');
    assert.deepEqual(P.decodeFrame(buffer(hill(-1000, 1e6, 512, -200)))[0].hills, [{ x: -1000, y: 1e6, radius: 512, height: -200 }]);
    assertMalformed(frame([0x92, new Bytes().u64(handle).f32(-0.5).u32(0).bytes()]), 'regionTerrain.base');
    assertMalformed(frame([0x92, new Bytes().u64(handle).f32(4096).u32(0).bytes()]), 'regionTerrain.base');
    assert.equal(P.decodeFrame(buffer(frame([0x92, new Bytes().u64(handle).f32(0).u32(0).bytes()])))[0].base, 0);
  });
});

describe('malformed frames and unknown types', () => {
  test('unknown types are skipped by their length', () => {
    const bytes = frame(
      [0x93, hex('01 02 03')],
      [0x85, new Bytes().u32(1).bytes()],
      [0x00, new Uint8Array(0)],
      [0x7f, new Uint8Array(300)],
      [0xff, hex('FF FF')],
      [0x85, new Bytes().u32(2).bytes()],
    );
    assert.deepEqual(P.decodeFrame(buffer(bytes)), [{ type: 'entityLeave', localID: 1 }, { type: 'entityLeave', localID: 2 }]);
    assert.deepEqual(P.decodeFrame(new ArrayBuffer(0)), []);
    // An unknown type whose length runs past the end is still an error.
    assertMalformed(hex('93 05 00 01 02'), 'message body of type 0x93');
  });

  test('headers', () => {
    assertMalformed(hex('82'), 'message.length');
    assertMalformed(hex('82 12'), 'message.length');
    assertMalformed(hex('82 12 00 00'), 'message body of type 0x82');
    assertMalformed(hex('85 05 00 01 00 00 00 00'), 'message of type 0x85'); // a trailing byte
    assertMalformed(hex('85 03 00 01 00 00'), 'entityLeave.localID'); // a truncated body
  });

  test('strings: limits, UTF-8, U+0000; a BOM is kept', () => {
    const welcome = (nameBytes, token = new Bytes().string('')) => frame([0x81,
      new Bytes().uuid('123e4567-e89b-12d3-a456-426614174000').u32(1).u16(nameBytes.length).raw(nameBytes)
        .u64(0).u16(45).u16(10).f32(64).raw(token.bytes()).bytes()]);
    assert.equal(P.decodeFrame(buffer(welcome(new Uint8Array(63).fill(0x41))))[0].regionName, 'A'.repeat(63));
    assertMalformed(welcome(new Uint8Array(64).fill(0x41)), 'welcome.regionName');
    assertMalformed(welcome(hex('41 FF 41')), 'welcome.regionName');
    assertMalformed(welcome(hex('C3')), 'welcome.regionName'); // a cut sequence
    assertMalformed(welcome(hex('ED A0 80')), 'welcome.regionName'); // a UTF-16 surrogate
    assertMalformed(welcome(hex('C0 80')), 'welcome.regionName'); // an overlong NUL
    assertMalformed(welcome(hex('41 00 41')), 'welcome.regionName');
    assert.equal(P.decodeFrame(buffer(welcome(hex('EF BB BF 41'))))[0].regionName, '\u{FEFF}A');
    assertMalformed(welcome(hex('41'), new Bytes().string('t'.repeat(129))), 'welcome.sessionToken');
    assert.equal(P.decodeFrame(buffer(welcome(hex('41'), new Bytes().string('t'.repeat(128)))))[0].sessionToken, 't'.repeat(128));
    // A count over the limit is malformed even when the bytes are absent.
    assertMalformed(frame([0x8c, new Bytes().u8(0).u16(2000).bytes()]), 'alert.text');
  });

  test('floats must be finite', () => {
    const welcome = (view) => frame([0x81, new Bytes().uuid('123e4567-e89b-12d3-a456-426614174000').u32(1).string('R')
      .u64(0).u16(45).u16(10).f32(view).string('').bytes()]);
    assertMalformed(welcome(NaN), 'welcome.viewDistance');
    assertMalformed(welcome(-Infinity), 'welcome.viewDistance');
    assertMalformed(frame([0x83, enterBody({ scale: [1, Infinity, 1] })]), 'entityEnter.scale');
  });

  test('enumerations', () => {
    assertMalformed(frame([0x83, enterBody({ kind: 3 })]), 'entityEnter.kind');
    assertMalformed(frame([0x83, enterBody({ kind: 0 })]), 'entityEnter.kind');
    assertMalformed(frame([0x83, enterBody({ shape: 4 })]), 'entityEnter.shape');
    assertMalformed(frame([0x83, enterBody({ name: 'x'.repeat(64) })]), 'entityEnter.name');
    assertMalformed(frame([0x83, new Uint8Array([...enterBody(), 0])]), 'entityEnter.appearance.text');
  });

  test('EntityDeltas flags and IDs', () => {
    assertMalformed(frame([0x90, hex('01 80')]), 'entityDeltas.flags');
    assertMalformed(frame([0x90, hex('01 05 00 00 00 00 00 00 00 00 00 00')]), 'entityDeltas.flags');
    assertMalformed(frame([0x90, hex('01 06 00 00 00 00 00 00 00 00 00')]), 'entityDeltas.flags');
    assertMalformed(frame([0x90, hex('01 18 00 00 00 00 00 00')]), 'entityDeltas.flags');
    assertMalformed(frame([0x90, hex('01 60 00 00 00 00 00 00 00 00 00')]), 'entityDeltas.flags');
    assertMalformed(frame([0x90, hex('FF FF FF FF 0F 00 00 00')]), 'entityDeltas.idGap'); // 2^32 − 1, then 2^32
    assertMalformed(frame([0x90, hex('01 20 01 02')]), 'entityDeltas.shortVelocity');
    assertMalformed(frame([0x90, hex('01 08 01')]), 'entityDeltas.yaw');
    // A no-op entry (flags 0) is valid.
    assert.deepEqual(P.decodeFrame(buffer(frame([0x90, hex('07 00')]))), [{ type: 'entityDeltas', entries: [{ localID: 7, flags: 0 }] }]);
    // An empty body is an EntityDeltas without entries.
    assert.deepEqual(P.decodeFrame(buffer(frame([0x90, new Uint8Array(0)]))), [{ type: 'entityDeltas', entries: [] }]);
  });

  test('decodeFrame takes an ArrayBuffer or a view into one', () => {
    const bytes = frame([0x85, new Bytes().u32(9).bytes()]);
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 3);
    assert.deepEqual(P.decodeFrame(padded.subarray(3, 3 + bytes.length)), [{ type: 'entityLeave', localID: 9 }]);
    assert.deepEqual(P.decodeFrame(new DataView(padded.buffer, 3, bytes.length)), [{ type: 'entityLeave', localID: 9 }]);
    assert.throws(() => P.decodeFrame('85 00'), TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// MotionMirror

describe('MotionMirror', () => {
  function entered(mirror, localID, X, Y, Z) {
    const [e] = P.decodeFrame(buffer(frame([0x83, enterBody({ localID, X, Y, Z })])));
    mirror.enter(e);
    return e;
  }

  test('deltas move the packed integers exactly; range errors apply nothing', () => {
    const mirror = new P.MotionMirror();
    entered(mirror, 1, 100, 200, 300);
    entered(mirror, 2, 2 ** 20 - 17, 2 ** 18, 31);
    const deltas = (body) => P.decodeFrame(buffer(frame([0x90, body])))[0];
    assert.deepEqual(mirror.applyDeltas(deltas(new Bytes().varint(1).u8(0x03).zigzag(-6).zigzag(8191).zigzag(-9).bytes())), [1]);
    assert.deepEqual(mirror.packed(1), [100 - 96, 200 + 16 * 8191, 300 - 288]);
    // Entity 2 at X = 2^20 − 17: +1 unit is 2^20 − 1 (in range), +2 units leaves it.
    assert.deepEqual(mirror.applyDeltas(deltas(new Bytes().varint(2).u8(0x01).zigzag(1).zigzag(0).bytes())), [2]);
    assert.deepEqual(mirror.packed(2), [2 ** 20 - 1, 2 ** 18, 31]);
    const before = [mirror.packed(1), mirror.packed(2)];
    const bad = deltas(new Bytes().varint(1).u8(0x02).zigzag(-1).varint(0).u8(0x01).zigzag(1).zigzag(0).bytes());
    assert.throws(() => mirror.applyDeltas(bad), (error) => error instanceof P.ProtocolError && error.field === 'entityDeltas.position');
    assert.deepEqual([mirror.packed(1), mirror.packed(2)], before, 'nothing applied');
    // A huge dx (±2^31) computes without overflow and is refused.
    const huge = deltas(new Bytes().varint(1).u8(0x01).zigzag(-(2 ** 31)).zigzag(2 ** 31 - 1).bytes());
    assert.throws(() => mirror.applyDeltas(huge), P.ProtocolError);
    // Z below 0.
    assert.throws(() => mirror.applyDeltas(deltas(new Bytes().varint(2).u8(0x02).zigzag(-1).bytes())), P.ProtocolError);
  });

  test('entries for entities not held are ignored; leave, clear, updates', () => {
    const mirror = new P.MotionMirror();
    entered(mirror, 4, 2 ** 18, 2 ** 18, 0);
    const [d] = P.decodeFrame(buffer(frame([0x90, new Bytes().varint(3).u8(0x01).zigzag(1).zigzag(1).varint(0).u8(0x20).i8(16).i8(-16).i8(0).bytes()])));
    assert.deepEqual(mirror.applyDeltas(d), [4]);
    assert.deepEqual(mirror.get(4).velocity, [1, -1, 0]);
    assert.equal(mirror.get(3), null);
    const [u] = P.decodeFrame(buffer(frame([0x84, new Bytes().u32(4).u8(0x07).u64(rawPosition(5, 6, 7)).u32(0xdff7ff68).i16(1).i16(2).i16(3).bytes()])));
    assert.equal(mirror.applyUpdate(u), true);
    assert.deepEqual(mirror.packed(4), [5, 6, 7]);
    assert.deepEqual(mirror.get(4).velocity, [0.01, 0.02, 0.03]);
    assert.equal(mirror.applyUpdate({ ...u, localID: 99 }), false);
    assert.equal(mirror.size, 1);
    assert.equal(mirror.leave(4), true);
    assert.equal(mirror.get(4), null);
    entered(mirror, 5, 0, 0, 0);
    mirror.clear();
    assert.equal(mirror.size, 0);
  });

  test('the same entity twice in one frame (two messages) applies in order', () => {
    const mirror = new P.MotionMirror();
    entered(mirror, 6, 1000, 1000, 1000);
    const messages = P.decodeFrame(buffer(frame(
      [0x90, new Bytes().varint(6).u8(0x01).zigzag(2).zigzag(0).bytes()],
      [0x90, new Bytes().varint(6).u8(0x01).zigzag(3).zigzag(0).bytes()],
    )));
    for (const m of messages) mirror.applyDeltas(m);
    assert.deepEqual(mirror.packed(6), [1000 + 80, 1000, 1000]);
    // Within one list of entries, too.
    mirror.applyDeltas([...messages[0].entries, ...messages[1].entries]);
    assert.deepEqual(mirror.packed(6), [1000 + 160, 1000, 1000]);
  });
});

// ---------------------------------------------------------------------------------------------
// Random round trips against the independent encoder

describe('random round trips', () => {
  test('every message type, random fields, several per frame', () => {
    const r = rng(18);
    for (let round = 0; round < 300; round++) {
      const parts = [];
      const expected = [];
      const count = r.int(1, 6);
      for (let i = 0; i < count; i++) {
        switch (r.int(0, 11)) {
          case 0: {
            const [X, Y, Z] = [r.int(0, 2 ** 20 - 1), r.int(0, 2 ** 20 - 1), r.int(0, 2 ** 24 - 1)];
            const rot = r.int(0, 2 ** 32 - 1);
            const vel = [r.int(-32768, 32767), r.int(-32768, 32767), r.int(-32768, 32767)];
            const scale = [r.f32(0.01, 64), r.f32(0.01, 64), r.f32(0.01, 64)];
            const appearance = r.next() < 0.5 ? null : {
              text: r.text(255), textColor: [r.f32(0, 1), r.f32(0, 1), r.f32(0, 1)], textAlpha: r.f32(0, 1),
              color: [r.f32(0, 1), r.f32(0, 1), r.f32(0, 1)], alpha: r.pick([0, 1, r.f32(0, 1)]),
            };
            const localID = r.int(1, 2 ** 32 - 1);
            const kind = r.int(1, 2);
            const shape = r.int(1, 3);
            const name = r.text(63);
            parts.push([0x83, enterBody({ localID, kind, shape, name, scale, X, Y, Z, rotation: rot, velocity: vel, appearance })]);
            expected.push({
              type: 'entityEnter', localID, kind, shape, name, scale, position: metres(X, Y, Z), rotation: decodeRotation(rot),
              velocity: vel.map((v) => v / 100), appearance, packedPosition: [X, Y, Z],
            });
            break;
          }
          case 1: {
            const localID = r.int(0, 2 ** 32 - 1);
            const mask = r.int(0, 7);
            const b = new Bytes().u32(localID).u8(mask);
            const e = { type: 'entityUpdate', localID };
            if (mask & 1) {
              const p = [r.int(0, 2 ** 20 - 1), r.int(0, 2 ** 20 - 1), r.int(0, 2 ** 24 - 1)];
              b.u64(rawPosition(...p));
              e.packedPosition = p;
              e.position = metres(...p);
            }
            if (mask & 2) { const rot = r.int(0, 2 ** 32 - 1); b.u32(rot); e.rotation = decodeRotation(rot); }
            if (mask & 4) { const v = [r.int(-32768, 32767), r.int(-32768, 32767), r.int(-32768, 32767)]; for (const c of v) b.i16(c); e.velocity = v.map((c) => c / 100); }
            parts.push([0x84, b.bytes()]);
            expected.push(e);
            break;
          }
          case 2: {
            const speaker = r.int(0, 2 ** 32 - 1);
            const speakerName = r.text(63);
            const chatType = r.int(0, 4);
            const channel = r.int(-(2 ** 31), 2 ** 31 - 1);
            const p = [r.int(0, 2 ** 20 - 1), r.int(0, 2 ** 20 - 1), r.int(0, 2 ** 24 - 1)];
            const text = r.text(1023);
            const speakerKind = r.pick([null, 1, 2]);
            const b = new Bytes().u32(speaker).string(speakerName).u8(chatType).i32(channel).u64(rawPosition(...p)).string(text);
            if (speakerKind !== null) b.u8(speakerKind);
            parts.push([0x86, b.bytes()]);
            expected.push({ type: 'chat', speaker, speakerName, chatType, channel, position: metres(...p), text, speakerKind });
            break;
          }
          case 3: {
            const agentID = r.uuid();
            const gridX = r.int(0, 2 ** 24 - 1);
            const gridY = r.int(0, 2 ** 24 - 1);
            const handle = (BigInt(gridX) * 256n) * 2n ** 32n + BigInt(gridY) * 256n;
            const m = {
              type: 'welcome', agentID, localID: r.int(1, 2 ** 32 - 1), regionName: r.text(63), regionHandle: handle, gridX, gridY,
              frameRate: r.int(0, 65535), updateRate: r.int(0, 65535), viewDistance: r.f32(-1e6, 1e6), sessionToken: r.text(128),
            };
            parts.push([0x81, new Bytes().uuid(agentID).u32(m.localID).string(m.regionName).u64(handle).u16(m.frameRate)
              .u16(m.updateRate).f32(m.viewDistance).string(m.sessionToken).bytes()]);
            expected.push(m);
            break;
          }
          case 4: {
            const frameNo = BigInt(r.int(0, 2 ** 32 - 1)) * BigInt(r.int(1, 2 ** 32 - 1));
            const millis = r.int(0, 2 ** 45);
            const d = r.int(0, 65535);
            parts.push([0x82, new Bytes().u64(frameNo).u64(millis).u16(d).bytes()]);
            expected.push({ type: 'frameStamp', frame: frameNo, timeMillis: millis, timeDilation: d / 65535 });
            break;
          }
          case 5: {
            const m = { type: 'error', code: r.int(0, 65535), name: null, requestID: r.int(0, 2 ** 32 - 1), message: r.text(1024) };
            m.name = P.ERROR_CODES[m.code] ?? null;
            parts.push([0x88, new Bytes().u16(m.code).u32(m.requestID).string(m.message).bytes()]);
            expected.push(m);
            break;
          }
          case 6: {
            const gridX = r.int(0, 2 ** 24 - 1);
            const gridY = r.int(0, 2 ** 24 - 1);
            const m = {
              type: 'regionChanged', kind: r.int(1, 2), localID: r.int(0, 2 ** 32 - 1), regionName: r.text(63),
              regionHandle: (BigInt(gridX * 256) << 32n) | BigInt(gridY * 256), gridX, gridY,
              startedMillis: r.int(0, 2 ** 45), requestID: r.int(0, 2 ** 32 - 1),
            };
            parts.push([0x8b, new Bytes().u8(m.kind).u32(m.localID).string(m.regionName).u64(m.regionHandle).u64(m.startedMillis).u32(m.requestID).bytes()]);
            expected.push(m);
            break;
          }
          case 7: {
            const regions = Array.from({ length: r.int(0, 8) }, () => ({ name: r.text(63), gridX: r.int(0, 2 ** 24 - 1), gridY: r.int(0, 2 ** 24 - 1) }));
            const b = new Bytes().u32(regions.length);
            for (const g of regions) b.string(g.name).u32(g.gridX).u32(g.gridY);
            parts.push([0x91, b.bytes()]);
            expected.push({ type: 'regionMap', regions });
            break;
          }
          case 8: {
            const gridX = r.int(0, 2 ** 24 - 1);
            const gridY = r.int(0, 2 ** 24 - 1);
            const handle = (BigInt(gridX * 256) << 32n) | BigInt(gridY * 256);
            const hills = Array.from({ length: r.int(0, 64) }, () => ({ x: r.f32(0, 256), y: r.f32(0, 256), radius: r.f32(1, 512), height: r.f32(-200, 200) }));
            const base = r.f32(0, 4095);
            const b = new Bytes().u64(handle).f32(base).u32(hills.length);
            for (const h of hills) b.f32(h.x).f32(h.y).f32(h.radius).f32(h.height);
            parts.push([0x92, b.bytes()]);
            expected.push({ type: 'regionTerrain', regionHandle: handle, gridX, gridY, base, hills });
            break;
          }
          case 9: {
            const m = { type: 'pong', nonce: r.int(0, 2 ** 32 - 1), clientTimeMillis: r.int(0, 2 ** 50) };
            parts.push([0x89, new Bytes().u32(m.nonce).u64(m.clientTimeMillis).bytes()]);
            expected.push(m);
            break;
          }
          case 10: {
            const m = { type: 'alert', scope: r.int(0, 2), text: r.text(1024) };
            parts.push([0x8c, new Bytes().u8(m.scope).string(m.text).bytes()]);
            expected.push(m);
            break;
          }
          default: {
            // An unknown type: skipped.
            const type = r.pick([0x00, 0x01, 0x80, 0x93, 0xa0, 0xff]);
            parts.push([type, Uint8Array.from({ length: r.int(0, 40) }, () => r.int(0, 255))]);
          }
        }
      }
      const decoded = P.decodeFrame(buffer(frame(...parts)));
      assert.equal(decoded.length, expected.length, `round ${round}`);
      for (let i = 0; i < expected.length; i++) {
        const got = decoded[i];
        const want = expected[i];
        if (want.rotation) {
          assertClose(got.rotation, want.rotation, 1e-12, `round ${round} rotation`);
          got.rotation = want.rotation;
        }
        assert.deepEqual(got, want, `round ${round}, message ${i}`);
      }
    }
  });

  test('truncating any known message anywhere throws ProtocolError, never anything else', () => {
    const r = rng(7);
    const bodies = [
      [0x81, new Bytes().uuid(r.uuid()).u32(1).string('Region').u64(0).u16(45).u16(10).f32(64).string('tok').bytes()],
      [0x83, enterBody({ appearance: STANDARD_APPEARANCE, name: 'Ball' })],
      [0x86, chatBody()],
      [0x8b, new Bytes().u8(1).u32(12).string('East').u64(0).u64(0).u32(0).bytes()],
      [0x90, new Bytes().varint(5).u8(0x29).zigzag(300).zigzag(-300).u16(5).i8(1).i8(2).i8(3).varint(0).u8(0x54).u64(0).u32(0).i16(1).i16(2).i16(3).bytes()],
      [0x91, new Bytes().u32(1).string('A').u32(1).u32(2).bytes()],
      [0x92, new Bytes().u64(0).f32(21).u32(1).f32(1).f32(2).f32(3).f32(4).bytes()],
    ];
    for (const [type, body] of bodies) {
      assert.equal(P.decodeFrame(buffer(frame([type, body]))).length, 1);
      for (let cut = 0; cut < body.length; cut++) {
        const shorter = body.slice(0, cut);
        // A shorter EntityEnter or ChatReceived may end exactly where its optional tail begins.
        const optionalEnd = (type === 0x83 && cut === body.length - 34) || (type === 0x86 && cut === body.length - 1);
        // An EntityDeltas may end between entries.
        const entryEnd = type === 0x90 && cut === 1 + 1 + 2 + 2 + 2 + 3;
        if (cut === 0 && type === 0x90) continue; // an empty EntityDeltas is valid
        if (optionalEnd || entryEnd) {
          assert.equal(P.decodeFrame(buffer(frame([type, shorter]))).length, 1);
          continue;
        }
        assert.throws(() => P.decodeFrame(buffer(frame([type, shorter]))), P.ProtocolError, `type 0x${type.toString(16)} cut at ${cut}`);
      }
    }
  });

  test('random byte noise never throws anything but ProtocolError', () => {
    const r = rng(99);
    let decoded = 0;
    for (let round = 0; round < 3000; round++) {
      const type = r.pick([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x99]);
      const body = Uint8Array.from({ length: r.int(0, 60) }, () => (r.next() < 0.3 ? 0 : r.int(0, 255)));
      try {
        P.decodeFrame(buffer(frame([type, body])));
        decoded++;
      } catch (error) {
        assert.ok(error instanceof P.ProtocolError, `type 0x${type.toString(16)}: ${error}`);
      }
    }
    assert.ok(decoded > 0);
  });

  // The server's side of EntityDeltas, written from the doc ("How the server codes an entry"), so
  // that a stream of random motions checks the mirror against what the server records as held.
  /** The PackedRotation of a turn about +z alone, packed here: x and y are step 511 (exactly 0). */
  function yawRotation(yaw) {
    let z = Math.sin(yaw / 2), w = Math.cos(yaw / 2);
    const dropped = Math.abs(z) > Math.abs(w) ? 2 : 3;
    if ((dropped === 2 ? z : w) < 0) { z = -z; w = -w; }
    const kept = dropped === 2 ? w : z;
    const b = Math.SQRT1_2;
    const step = Math.round((Math.min(Math.max(kept, -b), b) + b) / (2 * b) * 1022);
    return dropped * 2 ** 30 + 511 * 2 ** 20 + 511 * 2 ** 10 + step;
  }

  function unitsHalvesTowardZero(difference, unit) {
    const whole = Math.trunc(difference / unit);
    const rest = difference - whole * unit;
    if (2 * rest > unit) return whole + 1;
    if (2 * rest < -unit) return whole - 1;
    return whole;
  }

  function shortForm(v) {
    const u = v.map((cm) => Math.round(Math.abs(cm) / 6.25) * Math.sign(cm) || 0);
    return u.every((n) => n >= -127 && n <= 127) ? u : null;
  }

  function yawForm(rot) {
    if (rot < 2 * 2 ** 30 || Math.floor(rot / 2 ** 20) % 1024 !== 511 || Math.floor(rot / 2 ** 10) % 1024 !== 511) return null;
    const q = decodeRotation(rot);
    const turns = (2 * Math.atan2(q[2], q[3])) / (2 * Math.PI);
    return Math.round((turns - Math.floor(turns)) * 65536) % 65536;
  }

  test('EntityDeltas streams: the mirror holds what the server records', () => {
    const r = rng(2026);
    const mirror = new P.MotionMirror();
    const ids = [3, 4, 10, 200, 201, 70000, 2 ** 32 - 1];
    const server = new Map(); // id → { held: {X, Y, Z, rot, vel}, heldRotation, heldVelocity (client view) }
    for (const id of ids) {
      const X = r.int(0, 2 ** 20 - 1), Y = r.int(0, 2 ** 20 - 1), Z = r.int(0, 2 ** 24 - 1);
      const rot = 0xdff7fdff;
      const vel = [0, 0, 0];
      const [e] = P.decodeFrame(buffer(frame([0x83, enterBody({ localID: id, X, Y, Z, rotation: rot, velocity: vel })])));
      mirror.enter(e);
      server.set(id, { X, Y, Z, rot, vel, target: { X, Y, Z, rot, vel }, coded: { X, Y, Z } });
    }
    let entriesSent = 0;
    for (let tick = 0; tick < 400; tick++) {
      const b = new Bytes();
      let previous = -1;
      for (const id of ids) {
        const s = server.get(id);
        // Move the target: small steps mostly, sometimes a jump, a turn, a tilt or a new speed.
        const t = s.target;
        const step = r.next() < 0.1 ? 200000 : 700;
        t.X = Math.min(2 ** 20 - 1, Math.max(0, t.X + r.int(-step, step)));
        t.Y = Math.min(2 ** 20 - 1, Math.max(0, t.Y + r.int(-step, step)));
        t.Z = Math.min(2 ** 24 - 1, Math.max(0, t.Z + r.int(-step, step)));
        const roll = r.next();
        if (roll < 0.3) {
          const yaw = r.next() * 2 * Math.PI;
          t.rot = yawRotation(yaw);
        } else if (roll < 0.4) {
          t.rot = r.int(0, 2 ** 32 - 1);
        }
        if (r.next() < 0.5) {
          const big = r.next() < 0.2;
          t.vel = [0, 0, 0].map(() => r.int(big ? -32767 : -700, big ? 32767 : 700));
        }
        if (r.next() < 0.2) continue; // not due this tick

        // Code the entry against what the client holds (the server's record).
        let flags = 0;
        const fields = new Bytes();
        const dx = unitsHalvesTowardZero(t.X - s.X, 16);
        const dy = unitsHalvesTowardZero(t.Y - s.Y, 16);
        const dz = unitsHalvesTowardZero(t.Z - s.Z, 32);
        let absolute = false;
        if (dx !== 0 || dy !== 0 || dz !== 0) {
          const X = s.X + 16 * dx, Y = s.Y + 16 * dy, Z = s.Z + 32 * dz;
          const inRange = X >= 0 && X < 2 ** 20 && Y >= 0 && Y < 2 ** 20 && Z >= 0 && Z < 2 ** 24;
          if (Math.max(Math.abs(dx), Math.abs(dy), Math.abs(dz)) <= 8191 && inRange) {
            if (dx !== 0 || dy !== 0) { flags |= 0x01; fields.zigzag(dx).zigzag(dy); }
            if (dz !== 0) { flags |= 0x02; fields.zigzag(dz); }
            Object.assign(s, { X, Y, Z });
          } else {
            absolute = true;
          }
        }
        if (absolute) { flags |= 0x04; fields.u64(rawPosition(t.X, t.Y, t.Z)); Object.assign(s, { X: t.X, Y: t.Y, Z: t.Z }); }
        if (s.rot !== t.rot) {
          const yaw = yawForm(t.rot);
          if (yaw !== null) { flags |= 0x08; fields.u16(yaw); s.clientRotation = [0, 0, Math.sin((yaw / 65536) * Math.PI), Math.cos((yaw / 65536) * Math.PI)]; } else { flags |= 0x10; fields.u32(t.rot); s.clientRotation = decodeRotation(t.rot); }
          s.rot = t.rot;
        }
        if (s.vel.some((c, i) => c !== t.vel[i])) {
          const short = shortForm(t.vel);
          const heldShort = shortForm(s.vel);
          if (short && heldShort && short.every((c, i) => c === heldShort[i])) {
            // nothing sent: the client holds it within 3.125 cm/s
          } else if (short) {
            flags |= 0x20; for (const c of short) fields.i8(c); s.clientVelocity = short.map((c) => c / 16);
          } else {
            flags |= 0x40; for (const c of t.vel) fields.i16(c); s.clientVelocity = t.vel.map((c) => c / 100);
          }
          s.vel = t.vel.slice();
        }
        s.coded = { X: t.X, Y: t.Y, Z: t.Z };
        if (flags === 0) continue;
        b.varint(id - previous - 1).u8(flags).raw(fields.bytes());
        previous = id;
        entriesSent++;
      }
      const stamp = new Bytes().u64(tick).u64(0).u16(65535).bytes();
      const messages = P.decodeFrame(buffer(frame([0x82, stamp], [0x90, b.bytes()])));
      assert.equal(messages[1].type, 'entityDeltas');
      mirror.applyDeltas(messages[1]);
      for (const id of ids) {
        const s = server.get(id);
        assert.deepEqual(mirror.packed(id), [s.X, s.Y, s.Z], `tick ${tick} entity ${id}`);
        // Within 8 x/y steps and 16 z steps of the target it was last coded against (the doc's bound).
        assert.ok(Math.abs(s.X - s.coded.X) <= 8 && Math.abs(s.Y - s.coded.Y) <= 8 && Math.abs(s.Z - s.coded.Z) <= 16, `tick ${tick} entity ${id} bound`);
        const held = mirror.get(id);
        if (s.clientRotation) assertClose(held.rotation, s.clientRotation, 1e-12, `tick ${tick} rotation`);
        if (s.clientVelocity) assert.deepEqual(held.velocity, s.clientVelocity);
        assertClose(held.velocity, s.vel.map((c) => c / 100), 0.03125 + 1e-9, `tick ${tick} velocity`);
        // The yaw form may hold −q of the packed rotation (the same rotation): compare up to sign.
        assertSameRotation(held.rotation, decodeRotation(s.rot), Math.PI / 65536 + 1e-6, `tick ${tick} rotation vs packed`);
      }
    }
    assert.ok(entriesSent > 1000);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors and closes in words

describe('describeError and describeClose', () => {
  test('error codes by name', () => {
    assert.equal(Object.keys(P.ERROR_CODES).length, 29);
    assert.equal(P.ERROR_CODES[16], 'badCredentials');
    assert.equal(P.ERROR_CODES[26], 'loggedInElsewhere');
    assert.equal(P.ERROR_CODES[29], 'regionRestarting');
  });

  test('sentences', () => {
    assert.equal(P.describeError(16, 'bad credentials'), 'Wrong name or password.');
    assert.equal(P.describeError(6, ''), 'The region is full. Try again later or pick another region.');
    assert.equal(P.describeError(26, 'logged in again elsewhere'), 'You logged in again somewhere else, so this session ended.');
    assert.equal(P.describeError(28, 'be nice'), 'An administrator removed you from the grid: be nice');
    assert.equal(P.describeError(5, "'А' (U+0410) is not allowed").endsWith("('А' (U+0410) is not allowed)"), true);
    assert.equal(P.describeError(4242, 'something odd'), 'something odd');
    assert.equal(P.describeError(4242, ''), 'Error 4242.');
    for (const code of Object.keys(P.ERROR_CODES)) assert.ok(P.describeError(Number(code), 'm').length > 5);
  });

  test('close codes', () => {
    assert.equal(P.describeClose(4016, 'bad credentials'), 'Wrong name or password.');
    assert.equal(P.describeClose(4017, ''), 'The session has expired or is not valid. Log in with your password.');
    assert.equal(P.describeClose(4010, 'maintenance until 3 pm'), 'Logins are closed, or this account is disabled. (maintenance until 3 pm)');
    assert.equal(P.describeClose(4029, 'Tessera is restarting'), 'The region is restarting: Tessera is restarting');
    assert.equal(P.describeClose(1000, 'logout'), 'You logged out.');
    assert.equal(P.describeClose(1001, 'server shutting down'), 'The server is shutting down.');
    assert.equal(P.describeClose(1001, 'Ping timeout'), 'The connection timed out.');
    assert.equal(P.describeClose(1006, ''), 'The connection was lost.');
    assert.equal(P.describeClose(1009, 'a client message is at most 65536 bytes'), 'A message was too big for the server.');
    assert.equal(P.describeClose(4099, 'new'), 'The server closed the connection (code 4099). (new)');
    assert.equal(P.describeClose(4011, 'too many failed logins'), 'Too many failed logins from here. Wait a few minutes, then try again.');
    assert.equal(P.describeError(11, ''), 'Too many requests. Wait a little, then try again.');
    assert.equal(P.describeClose(4006, 'Tessera is full'), 'The region is full. Try again later or pick another region. (Tessera is full)');
    assert.equal(P.describeClose(4026, 'logged in again elsewhere'), 'You logged in again somewhere else, so this session ended.');
    assert.equal(P.describeClose(4003, 'login timeout'), 'The server did not receive the login in time.');
    assert.ok(P.describeClose(4001, 'chat.type: unknown value 3').endsWith('(chat.type: unknown value 3)'));
  });
});

describe('the module', () => {
  test('ProtocolError with a field and a reason, or with a message alone', () => {
    const named = new P.ProtocolError('entityEnter.name', 'not valid UTF-8');
    assert.equal(named.message, 'entityEnter.name: not valid UTF-8');
    assert.equal(named.field, 'entityEnter.name');
    assert.equal(named.name, 'ProtocolError');
    const plain = new P.ProtocolError('the server sent a text frame');
    assert.equal(plain.message, 'the server sent a text frame');
    assert.equal(plain.field, null);
    assert.ok(plain instanceof Error);
  });

  test('is plain browser JavaScript: no imports, no Node APIs, no eval', () => {
    const source = readFileSync(SOURCE_URL, 'utf8');
    assert.ok(source.startsWith('// Tessera client protocol for the browser: implements docs/client-protocol.md, version 8'));
    assert.doesNotMatch(source, /^\s*import\s/m);
    assert.doesNotMatch(source, /\brequire\(|\bBuffer\b|\bprocess\.|\beval\(|new Function\b|\bdocument\b|\bwindow\b|THREE/);
    assert.equal(P.PROTOCOL_VERSION, 8);
    assert.equal(P.encodeLogin({ name: 'A', password: '' })[1], 8, 'Login says version 8');
  });
});
