// The follow camera: it stays behind the own avatar, looking at its head. A mouse drag orbits
// it around the avatar (yaw and pitch), the wheel zooms; the orbit eases back behind the avatar
// once it walks on.

import * as THREE from './three/build/three.module.js';

const MIN_DISTANCE = 1.5;
const MAX_DISTANCE = 80;
const MIN_PITCH = -0.35;
const MAX_PITCH = 1.45;
const EYE_HEIGHT = 1.6;

export class FollowCamera {
  yawOffset = 0;        // radians, added to the avatar's heading
  pitch = 0.32;         // radians above the horizon
  distance = 7;
  #target = null;
  #eye = new THREE.Vector3();
  #look = new THREE.Vector3();

  constructor(camera) {
    this.camera = camera;
  }

  /** A drag of (dx, dy) CSS pixels. */
  orbit(dx, dy) {
    this.yawOffset -= dx * 0.008;
    this.pitch = Math.min(MAX_PITCH, Math.max(MIN_PITCH, this.pitch + dy * 0.006));
  }

  /** A wheel step; positive zooms out. */
  zoom(deltaY) {
    const factor = Math.exp(Math.max(-1, Math.min(1, deltaY / 400)));
    this.distance = Math.min(MAX_DISTANCE, Math.max(MIN_DISTANCE, this.distance * factor));
  }

  /** Jump to the target next frame instead of gliding (a login, a teleport). */
  reset() { this.#target = null; }

  /**
   * Moves the camera for this frame. `feet` is the avatar's drawn position, `heading` where it
   * faces, `moving` whether it walks (the orbit then eases back), `ground(x, y)` the terrain.
   */
  follow(feet, heading, dt, moving, ground) {
    const goal = new THREE.Vector3(feet[0], feet[1], feet[2] + EYE_HEIGHT);
    if (!this.#target || this.#target.distanceTo(goal) > 30) this.#target = goal.clone();
    else this.#target.lerp(goal, 1 - Math.exp(-dt * 12));
    if (moving && !this.dragging) this.yawOffset *= Math.exp(-dt * 1.5);
    const yaw = heading + this.yawOffset;
    const horizontal = Math.cos(this.pitch) * this.distance;
    this.#eye.set(
      this.#target.x - Math.cos(yaw) * horizontal,
      this.#target.y - Math.sin(yaw) * horizontal,
      this.#target.z + Math.sin(this.pitch) * this.distance,
    );
    const floor = ground(this.#eye.x, this.#eye.y);
    if (floor !== null && this.#eye.z < floor + 0.6) this.#eye.z = floor + 0.6;
    this.camera.position.copy(this.#eye);
    this.#look.copy(this.#target);
    this.camera.lookAt(this.#look);
  }

  /** Without an avatar: a slow turn around a point, for the login screen. */
  idle(now, centre) {
    const angle = now / 60000;
    this.camera.position.set(centre[0] + Math.cos(angle) * 110, centre[1] + Math.sin(angle) * 110, centre[2] + 30);
    this.camera.lookAt(new THREE.Vector3(centre[0], centre[1], centre[2] + 8));
    this.#target = null;
  }
}
