// An avatar's figure: legs, body, arms, head, and eyes on the side it faces (+x), feet at the
// origin, 1.9 m tall (the protocol's avatar size). Legs and arms hang from pivots at the hips and
// shoulders, so that they can swing as the avatar walks.

import * as THREE from './three/build/three.module.js';

const HIP = 0.86;
const SHOULDER = 1.5;
const STRIDE_RADIANS_PER_METRE = 4.2;   // a leg's swing goes round once every 1.5 m

/** Adds the figure's meshes to `body`; returns the swinging parts for animateAvatar. */
export function buildAvatar(body, color) {
  const clothes = new THREE.MeshPhongMaterial({ color, shininess: 18 });
  const trousers = new THREE.MeshPhongMaterial({ color: color.clone().multiplyScalar(0.45), shininess: 10 });
  const skin = new THREE.MeshPhongMaterial({ color: 0xe8c4a0, shininess: 12 });
  const dark = new THREE.MeshBasicMaterial({ color: 0x1d2430 });
  const limb = (radius, length, material, y, top, splay = 0) => {
    const pivot = new THREE.Group();
    pivot.position.set(0, y, top);
    const geometry = new THREE.CylinderBufferGeometry(radius, radius * 0.85, length, 12).rotateX(Math.PI / 2);
    const mesh = new THREE.Mesh(geometry, material);
    mesh.position.set(0, 0, -length / 2);
    pivot.rotation.x = splay;
    pivot.add(mesh);
    body.add(pivot);
    return pivot;
  };
  const legs = [limb(0.085, HIP, trousers, 0.1, HIP), limb(0.085, HIP, trousers, -0.1, HIP)];
  const torso = new THREE.Mesh(new THREE.CylinderBufferGeometry(0.2, 0.16, 0.66, 16).rotateX(Math.PI / 2), clothes);
  torso.position.set(0, 0, 1.18);
  torso.scale.set(0.8, 1, 1);
  const shoulders = new THREE.Mesh(new THREE.SphereBufferGeometry(0.2, 16, 8), clothes);
  shoulders.position.set(0, 0, SHOULDER - 0.01);
  shoulders.scale.set(0.8, 1.05, 0.35);
  const arms = [limb(0.06, 0.62, clothes, 0.235, SHOULDER, -0.12), limb(0.06, 0.62, clothes, -0.235, SHOULDER, 0.12)];
  const head = new THREE.Mesh(new THREE.SphereBufferGeometry(0.14, 20, 14), skin);
  head.position.set(0, 0, 1.74);
  head.scale.set(1, 0.95, 1.12);
  const eyes = new THREE.Mesh(new THREE.BoxBufferGeometry(0.03, 0.16, 0.035), dark);
  eyes.position.set(0.125, 0, 1.77);
  body.add(torso, shoulders, head, eyes);
  return { legs, arms, phase: 0, swing: 0 };
}

/**
 * Swings legs and arms for a walker moving at `speed` m/s over `dt` seconds; a flier (or one
 * standing) hangs them still. The swing eases in and out.
 */
export function animateAvatar(parts, speed, flying, dt) {
  const walking = !flying && speed > 0.2;
  const goal = walking ? Math.min(0.6, 0.12 * speed) : 0;
  parts.swing += (goal - parts.swing) * (1 - Math.exp(-dt * 8));
  if (walking) parts.phase = (parts.phase + speed * dt * STRIDE_RADIANS_PER_METRE) % (Math.PI * 2);
  const angle = Math.sin(parts.phase) * parts.swing;
  parts.legs[0].rotation.y = angle;
  parts.legs[1].rotation.y = -angle;
  parts.arms[0].rotation.y = -angle * 0.8;
  parts.arms[1].rotation.y = angle * 0.8;
}
