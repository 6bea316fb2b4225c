// How entities look: avatars as simple figures (legs, body, arms, head) coloured by their name,
// with a name tag; objects as their shape with their size, rotation, colour, alpha and floating
// text; a soft shadow under each. A Figure is drawn for one Entity (entity.js) and follows it.

import * as THREE from './three/build/three.module.js';
import { makeLabel, disposeLabel, sizeLabel } from './labels.js';
import { yawOf } from './motion.js';

const AVATAR_SIZE = [0.45, 0.6, 1.9];
const FADE_MS = 500;

const shared = {
  box: new THREE.BoxBufferGeometry(1, 1, 1),
  sphere: new THREE.SphereBufferGeometry(0.5, 28, 18),
  cylinder: new THREE.CylinderBufferGeometry(0.5, 0.5, 1, 28).rotateX(Math.PI / 2),
  shadow: new THREE.CircleBufferGeometry(1, 24),
};
let shadowTexture = null;

/** The colour of an avatar, from its name (the same name looks the same everywhere). */
export function nameColor(name) {
  let hash = 2166136261;
  for (const ch of String(name)) {
    hash ^= ch.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return new THREE.Color().setHSL((hash % 360) / 360, 0.55, 0.5);
}

export class Figure {
  constructor(entity) {
    this.entity = entity;
    this.root = new THREE.Group();
    this.root.name = `entity ${entity.key}`;
    this.root.userData.entityKey = entity.key;
    this.body = new THREE.Group();
    this.root.add(this.body);
    this.label = null;
    this.fadeStart = null;
    this.shadow = makeShadow();
    this.build();
  }

  get isAvatar() { return this.entity.isAvatar; }

  /** (Re)builds the meshes from the entity's shape, scale and appearance. */
  build() {
    disposeChildren(this.body);
    this.body.children.length = 0;
    const entity = this.entity;
    if (entity.isAvatar) {
      buildAvatar(this.body, nameColor(entity.name));
      this.body.scale.set(...entity.scale.map((s, i) => (s > 0 ? s / AVATAR_SIZE[i] : 1)));
      this.setLabel(entity.name, { bold: true }, entity.scale[2] + 0.22);
      this.shadowRadius = 0.45;
    } else {
      buildObject(this.body, entity);
      this.body.scale.set(...entity.scale.map((s) => Math.max(s, 0.01)));
      const text = entity.appearance?.text ?? '';
      if (text) {
        const [r, g, b] = entity.appearance.textColor;
        const color = `rgb(${Math.round(r * 255)}, ${Math.round(g * 255)}, ${Math.round(b * 255)})`;
        this.setLabel(text, { color, opacity: entity.appearance.textAlpha, background: null }, entity.scale[2] / 2 + 0.25);
      } else {
        this.setLabel(null);
      }
      this.shadowRadius = 0.55 * Math.max(entity.scale[0], entity.scale[1]);
    }
    this.shadow.scale.setScalar(this.shadowRadius);
    this.pickables = [];
    this.body.traverse((child) => { if (child.isMesh) this.pickables.push(child); });
  }

  setLabel(text, options, height) {
    if (this.label) {
      this.root.remove(this.label);
      disposeLabel(this.label);
      this.label = null;
    }
    if (!text) return;
    this.label = makeLabel(text, options);
    this.label.position.set(0, 0, height);
    this.root.add(this.label);
  }

  /**
   * Places the figure for `now`; `ground(x, y)` gives the terrain height or null,
   * `metresPerPixel(point)` the size of a screen pixel at a point of the scene.
   */
  update(now, ground, metresPerPixel, selfYaw = null) {
    const position = this.entity.renderPosition(now);
    this.root.position.set(position[0], position[1], position[2]);
    if (this.label) {
      this.root.updateMatrixWorld();
      sizeLabel(this.label, metresPerPixel(this.label.getWorldPosition(LABEL_POINT)));
    }
    const q = this.entity.renderRotation(now);
    const h = ground(position[0], position[1]);
    if (this.isAvatar) {
      // Avatars turn about z only; the own one faces where its keys point at once.
      const yaw = selfYaw ?? yawOf(q);
      this.#pose(yaw, this.#flying(position, h), now);
    } else {
      this.body.quaternion.set(q[0], q[1], q[2], q[3]);
    }
    const base = this.isAvatar ? position[2] : position[2] - this.entity.scale[2] / 2;
    this.shadow.visible = h !== null && base - h < 6;
    if (this.shadow.visible) {
      this.shadow.position.set(position[0], position[1], h + 0.04);
      const lift = Math.max(0, base - h);
      this.shadow.material.opacity = 0.45 * Math.max(0, 1 - lift / 6) * this.opacity(now);
    }
    return this.fadeStart === null || now - this.fadeStart < FADE_MS;
  }

  /** Fast above the ground: flying (walkers and runners are at most 5.1 m/s). */
  #flying(position, groundHeight) {
    const v = this.entity.motion.velocity;
    const lift = groundHeight === null ? 0 : position[2] - groundHeight;
    return lift > 0.8 && Math.hypot(v[0], v[1]) > 6;
  }

  /** Faces `yaw`; a flier leans forward (eased), turning about its middle. */
  #pose(yaw, flying, now) {
    const dt = this.lastPose === undefined ? 0 : Math.min(0.25, (now - this.lastPose) / 1000);
    this.lastPose = now;
    const goal = flying ? FLYING_TILT : 0;
    this.tilt = (this.tilt ?? 0) + (goal - (this.tilt ?? 0)) * (1 - Math.exp(-dt * 5));
    TURN.setFromAxisAngle(Z_AXIS, yaw);
    LEAN.setFromAxisAngle(Y_AXIS, this.tilt);
    this.body.quaternion.multiplyQuaternions(TURN, LEAN);
    const middle = this.entity.scale[2] / 2;
    PIVOT.set(0, 0, middle).applyQuaternion(this.body.quaternion);
    this.body.position.set(-PIVOT.x, -PIVOT.y, middle - PIVOT.z);
  }

  fadeOut(now) {
    if (this.fadeStart !== null) return;
    this.fadeStart = now;
    this.root.traverse((child) => {
      if (!child.material) return;
      child.material.transparent = true;
      child.material.userData.baseOpacity ??= child.material.opacity;
    });
  }

  opacity(now) {
    if (this.fadeStart === null) return 1;
    return Math.max(0, 1 - (now - this.fadeStart) / FADE_MS);
  }

  applyFade(now) {
    if (this.fadeStart === null) return;
    const k = this.opacity(now);
    this.root.traverse((child) => {
      if (child.material) child.material.opacity = (child.material.userData.baseOpacity ?? 1) * k;
    });
  }

  dispose() {
    this.setLabel(null);
    disposeChildren(this.body);
    this.shadow.material.dispose();
  }
}

const Z_AXIS = new THREE.Vector3(0, 0, 1);
const Y_AXIS = new THREE.Vector3(0, 1, 0);
const FLYING_TILT = 1.25;   // radians forward
const TURN = new THREE.Quaternion();
const LEAN = new THREE.Quaternion();
const PIVOT = new THREE.Vector3();
const LABEL_POINT = new THREE.Vector3();

function buildAvatar(body, color) {
  const clothes = new THREE.MeshPhongMaterial({ color, shininess: 18 });
  const trousers = new THREE.MeshPhongMaterial({ color: color.clone().multiplyScalar(0.45), shininess: 10 });
  const skin = new THREE.MeshPhongMaterial({ color: 0xe8c4a0, shininess: 12 });
  const dark = new THREE.MeshBasicMaterial({ color: 0x1d2430 });
  const limb = (radius, length, material, x, y, z, tilt = 0) => {
    const geometry = new THREE.CylinderBufferGeometry(radius, radius * 0.85, length, 12).rotateX(Math.PI / 2);
    const mesh = new THREE.Mesh(geometry, material);
    mesh.position.set(x, y, z);
    mesh.rotation.x = tilt;
    body.add(mesh);
  };
  limb(0.085, 0.86, trousers, 0, 0.1, 0.43);
  limb(0.085, 0.86, trousers, 0, -0.1, 0.43);
  const torso = new THREE.Mesh(new THREE.CylinderBufferGeometry(0.2, 0.16, 0.66, 16).rotateX(Math.PI / 2), clothes);
  torso.position.set(0, 0, 1.18);
  torso.scale.set(0.8, 1, 1);
  body.add(torso);
  const shoulders = new THREE.Mesh(new THREE.SphereBufferGeometry(0.2, 16, 8), clothes);
  shoulders.position.set(0, 0, 1.49);
  shoulders.scale.set(0.8, 1.05, 0.35);
  body.add(shoulders);
  limb(0.06, 0.62, clothes, 0, 0.255, 1.2, 0.12);
  limb(0.06, 0.62, clothes, 0, -0.255, 1.2, -0.12);
  const head = new THREE.Mesh(new THREE.SphereBufferGeometry(0.14, 20, 14), skin);
  head.position.set(0, 0, 1.74);
  head.scale.set(1, 0.95, 1.12);
  body.add(head);
  const eyes = new THREE.Mesh(new THREE.BoxBufferGeometry(0.03, 0.16, 0.035), dark);
  eyes.position.set(0.125, 0, 1.77);
  body.add(eyes);
}

function buildObject(body, entity) {
  const appearance = entity.appearance;
  const [r, g, b] = appearance?.color ?? [1, 1, 1];
  const alpha = appearance?.alpha ?? 1;
  const material = new THREE.MeshPhongMaterial({
    color: new THREE.Color(r, g, b), shininess: 25, transparent: alpha < 1, opacity: alpha,
    depthWrite: alpha >= 1,
  });
  const geometry = entity.shape === 2 ? shared.sphere : entity.shape === 3 ? shared.cylinder : shared.box;
  const mesh = new THREE.Mesh(geometry, material);
  mesh.userData.sharedGeometry = true;
  body.add(mesh);
  if (entity.shape !== 2 && alpha > 0.05) {
    const edges = new THREE.LineSegments(
      new THREE.EdgesGeometry(geometry, 30),
      new THREE.LineBasicMaterial({ color: 0x000000, transparent: true, opacity: 0.3 * alpha }),
    );
    body.add(edges);
  }
}

function makeShadow() {
  shadowTexture ??= radialTexture();
  const material = new THREE.MeshBasicMaterial({
    map: shadowTexture, transparent: true, opacity: 0.45, depthWrite: false,
    polygonOffset: true, polygonOffsetFactor: -2, polygonOffsetUnits: -2, color: 0x000000,
  });
  const shadow = new THREE.Mesh(shared.shadow, material);
  shadow.renderOrder = 2;
  shadow.userData.sharedGeometry = true;
  return shadow;
}

function radialTexture() {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  const context = canvas.getContext('2d');
  const gradient = context.createRadialGradient(32, 32, 0, 32, 32, 32);
  gradient.addColorStop(0, 'rgba(255,255,255,1)');
  gradient.addColorStop(0.6, 'rgba(255,255,255,0.55)');
  gradient.addColorStop(1, 'rgba(255,255,255,0)');
  context.fillStyle = gradient;
  context.fillRect(0, 0, 64, 64);
  return new THREE.CanvasTexture(canvas);
}

function disposeChildren(group) {
  group.traverse((child) => {
    if (child === group) return;
    if (child.geometry && !child.userData.sharedGeometry) child.geometry.dispose();
    child.material?.dispose();
  });
  while (group.children.length) group.remove(group.children[0]);
}
