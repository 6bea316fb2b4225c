// Smooth motion of one entity between the server's updates (docs/viewer.md, "Smooth motion").
//
// The server sends an entity's state at most every update tick, and far entities less often.
// The drawn position extrapolates the last state with its velocity (at most 1 s ahead). When a
// new state arrives, the difference between what is drawn and the new prediction is kept as an
// offset that fades out over BLEND_MS, so the figure glides to the right place instead of
// jumping; a difference above SNAP_METRES (a teleport) is applied at once. Rotations are
// slerped from the drawn one to the new one over the same time.

export const BLEND_MS = 150;
export const MAX_EXTRAPOLATION_MS = 1000;
export const SNAP_METRES = 8;

export class Motion {
  #position; #velocity; #since;
  #offset = [0, 0, 0];
  #offsetSince = 0;
  #rotationFrom; #rotationTo; #rotationSince = 0;

  constructor(position, rotation, velocity, now) {
    this.#position = position.slice();
    this.#velocity = velocity.slice();
    this.#since = now;
    this.#rotationFrom = rotation.slice();
    this.#rotationTo = rotation.slice();
  }

  get velocity() { return this.#velocity.slice(); }

  /** The position to draw at `now` (milliseconds, performance.now()). */
  position(now) {
    const ahead = Math.min(Math.max(now - this.#since, 0), MAX_EXTRAPOLATION_MS) / 1000;
    const fade = Math.max(0, 1 - (now - this.#offsetSince) / BLEND_MS);
    return [0, 1, 2].map(
      (i) => this.#position[i] + this.#velocity[i] * ahead + this.#offset[i] * fade,
    );
  }

  /** The rotation (x, y, z, w) to draw at `now`. */
  rotation(now) {
    const t = Math.min(1, Math.max(0, (now - this.#rotationSince) / BLEND_MS));
    return t >= 1 ? this.#rotationTo.slice() : slerp(this.#rotationFrom, this.#rotationTo, t);
  }

  /** A new state from the server: blend from what is drawn now towards it. */
  update(position, rotation, velocity, now) {
    const drawn = this.position(now);
    const offset = [0, 1, 2].map((i) => drawn[i] - position[i]);
    const error = Math.hypot(offset[0], offset[1], offset[2]);
    this.#offset = error > SNAP_METRES ? [0, 0, 0] : offset;
    this.#offsetSince = now;
    this.#position = position.slice();
    this.#velocity = velocity.slice();
    this.#since = now;
    this.#rotationFrom = this.rotation(now);
    this.#rotationTo = rotation.slice();
    this.#rotationSince = now;
  }

  /** Stop extrapolating: stay where drawn now (a region change under way). */
  freeze(now) {
    this.#position = this.position(now);
    this.#offset = [0, 0, 0];
    this.#velocity = [0, 0, 0];
    this.#since = now;
  }

  /** Move everything by (dx, dy): the scene origin changed. */
  shift(dx, dy) {
    this.#position[0] += dx;
    this.#position[1] += dy;
  }
}

/** Spherical interpolation of unit quaternions [x, y, z, w], along the shorter arc. */
export function slerp(a, b, t) {
  let dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  const sign = dot < 0 ? -1 : 1;
  dot *= sign;
  let wa, wb;
  if (dot > 0.9995) {
    wa = 1 - t;
    wb = t;
  } else {
    const angle = Math.acos(Math.min(1, dot));
    const sin = Math.sin(angle);
    wa = Math.sin((1 - t) * angle) / sin;
    wb = Math.sin(t * angle) / sin;
  }
  const q = [0, 1, 2, 3].map((i) => a[i] * wa + b[i] * wb * sign);
  const length = Math.hypot(q[0], q[1], q[2], q[3]) || 1;
  return q.map((c) => c / length);
}

/** The heading (radians counter-clockwise from east) a rotation faces. */
export function yawOf(q) {
  const [x, y, z, w] = q;
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}
