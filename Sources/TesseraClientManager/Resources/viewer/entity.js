// One entity as the viewer draws it: what the server said of it, and its smoothed motion.
// Entities are kept by the session (world.js); the scene draws them (scene.js) and keys its
// meshes by `key`, which stays when a region change hands the drawn figure to a new local ID.

import { Motion } from './motion.js';

export const AVATAR = 1;
export const OBJECT = 2;

let nextKey = 1;

export class Entity {
  constructor(enter, position, rotation, velocity, now) {
    this.key = nextKey++;
    this.id = enter.localID;
    this.kind = enter.kind;
    this.isSelf = false;
    this.describe(enter);
    this.motion = new Motion(position, rotation, velocity, now);
  }

  /** Takes the fields of an `EntityEnter` that are not motion. */
  describe(enter) {
    this.shape = enter.shape;
    this.name = String(enter.name ?? '');
    this.scale = enter.scale.slice();
    this.appearance = enter.appearance ?? null;
  }

  get isAvatar() { return this.kind === AVATAR; }

  /** Where to draw it at `now`: world metres relative to the scene origin (feet for avatars). */
  renderPosition(now) { return this.motion.position(now); }

  /** Its rotation at `now`, [x, y, z, w]. */
  renderRotation(now) { return this.motion.rotation(now); }
}
