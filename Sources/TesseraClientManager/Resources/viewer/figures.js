// How entities look: avatars as simple figures (legs, body, arms, head) coloured by their name,
// with a name tag; objects as their shape with their size, rotation, colour, alpha and floating
// text; a soft shadow under each. A Figure is drawn for one Entity (entity.js) and follows it.

import * as THREE from './three/build/three.module.js';
import { makeLabel, disposeLabel, sizeLabel } from './labels.js';
import { yawOf } from './motion.js';
import { buildAvatar, animateAvatar } from './avatar.js';

const AVATAR_SIZE = [0.45, 0.6, 1.9];
const FADE_MS = 500;
const BUBBLE_MS = 8000;
const FLASH_MS = 400;
const BUBBLE_LINES = 3;
const BUBBLE_LINE_CHARS = 40;

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

  /**
   * (Re)builds what changed of the meshes (shape, scale, colour) and of the text over it, from
   * the entity: a clock's floating text changing every second does not rebuild its shape.
   */
  build() {
    const entity = this.entity;
    const look = entity.appearance;
    const bodyKey = JSON.stringify([entity.kind, entity.shape, entity.isAvatar ? entity.name : '', entity.scale, look?.color, look?.alpha]);
    if (bodyKey !== this.bodyKey) {
      this.bodyKey = bodyKey;
      this.#buildBody();
    }
    const text = entity.isAvatar ? entity.name : look?.text ?? '';
    const labelKey = JSON.stringify([text, look?.textColor, look?.textAlpha, entity.scale[2]]);
    if (labelKey === this.labelKey) return;
    this.labelKey = labelKey;
    if (entity.isAvatar) {
      this.setLabel(entity.name, { bold: true }, entity.scale[2] + 0.22);
    } else if (text) {
      const [r, g, b] = look.textColor;
      const color = `rgb(${Math.round(r * 255)}, ${Math.round(g * 255)}, ${Math.round(b * 255)})`;
      this.setLabel(text, { color, opacity: look.textAlpha, background: null }, entity.scale[2] / 2 + 0.25);
    } else {
      this.setLabel(null);
    }
  }

  #buildBody() {
    disposeChildren(this.body);
    const entity = this.entity;
    if (entity.isAvatar) {
      this.limbs = buildAvatar(this.body, nameColor(entity.name));
      this.body.scale.set(...entity.scale.map((s, i) => (s > 0 ? s / AVATAR_SIZE[i] : 1)));
      this.shadowRadius = 0.45;
    } else {
      buildObject(this.body, entity);
      this.body.scale.set(...entity.scale.map((s) => Math.max(s, 0.01)));
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
      const size = metresPerPixel(this.label.getWorldPosition(LABEL_POINT));
      sizeLabel(this.label, size);
      this.#placeBubble(now, size);
    }
    const q = this.entity.renderRotation(now);
    const h = ground(position[0], position[1]);
    if (this.isAvatar) {
      // Avatars turn about z only; the own one faces where its keys point at once.
      const yaw = selfYaw ?? yawOf(q);
      this.#pose(yaw, this.#flying(position, h), now);
    } else {
      this.body.quaternion.set(q[0], q[1], q[2], q[3]);
      this.#glow(now);
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

  /** A touched object glows for a moment. */
  flash(now) {
    this.flashUntil = now + FLASH_MS;
  }

  #glow(now) {
    if (this.flashUntil === undefined) return;
    const k = Math.max(0, (this.flashUntil - now) / FLASH_MS);
    for (const mesh of this.pickables) mesh.material.emissive?.setRGB(0.45 * k, 0.4 * k, 0.15 * k);
    if (k === 0) this.flashUntil = undefined;
  }

  /** Shows what the avatar said over its name tag for a few seconds. */
  say(text, now) {
    this.#removeBubble();
    if (!this.label) return;
    const bubble = makeLabel(cutSpeech(text), { color: '#15202b', background: 'rgba(255, 255, 255, 0.88)' });
    bubble.position.copy(this.label.position);
    // Above the name tag on screen: both are drawn at one size per pixel, so their heights in
    // pixels say how far up (in the bubble's own heights) it goes.
    const tag = this.label.userData.pixels[1];
    bubble.center.set(0.5, -(tag + 6) / bubble.userData.pixels[1]);
    bubble.userData.until = now + BUBBLE_MS;
    this.bubble = bubble;
    this.root.add(bubble);
  }

  #placeBubble(now, size) {
    const bubble = this.bubble;
    if (!bubble) return;
    if (now >= bubble.userData.until) {
      this.#removeBubble();
      return;
    }
    sizeLabel(bubble, size);
    bubble.material.opacity = Math.min(1, (bubble.userData.until - now) / 600) * this.opacity(now);
  }

  #removeBubble() {
    if (!this.bubble) return;
    this.root.remove(this.bubble);
    disposeLabel(this.bubble);
    this.bubble = null;
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
    const v = this.entity.motion.velocity;
    animateAvatar(this.limbs, Math.hypot(v[0], v[1]), flying, dt);
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
    this.#removeBubble();
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

/** A chat line cut into at most BUBBLE_LINES short lines for a speech bubble. */
function cutSpeech(text) {
  const words = String(text).replace(/\s+/g, ' ').trim().split(' ');
  const lines = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (Array.from(next).length <= BUBBLE_LINE_CHARS || !line) {
      line = next;
      continue;
    }
    lines.push(line);
    line = word;
    if (lines.length === BUBBLE_LINES) break;
  }
  if (lines.length < BUBBLE_LINES && line) lines.push(line);
  else if (line) lines[BUBBLE_LINES - 1] += ' …';
  return lines.join('\n');
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
