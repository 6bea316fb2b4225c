// The ground of a region (RegionTerrain) as a mesh: a 2 m grid whose heights follow the
// terrain formula of protocol.js, coloured by height above the region's base, with a faint line along the region's border.

import * as THREE from './three/build/three.module.js';
import { terrainHeight } from './protocol.js';

export const REGION_SIZE = 256;
const CELL = 2;
const SIDE = REGION_SIZE / CELL + 1;

const SAND = new THREE.Color(0xc9b98a);
const LOW = new THREE.Color(0x4e8636);
const MID = new THREE.Color(0x3d6f2c);
const HIGH = new THREE.Color(0x7d7a5c);
const PEAK = new THREE.Color(0xb9b6a8);

/** A group holding the region's ground and its border line, in region-local metres. */
export function makeTerrain(terrain) {
  const group = new THREE.Group();
  group.name = `terrain ${terrain.gridX},${terrain.gridY}`;
  group.add(groundMesh(terrain), borderLine(terrain));
  return group;
}

export function disposeTerrain(group) {
  group.traverse((child) => {
    child.geometry?.dispose();
    child.material?.dispose();
  });
}

function groundMesh(terrain) {
  const positions = new Float32Array(SIDE * SIDE * 3);
  const colors = new Float32Array(SIDE * SIDE * 3);
  const color = new THREE.Color();
  for (let j = 0; j < SIDE; j++) {
    for (let i = 0; i < SIDE; i++) {
      const x = i * CELL;
      const y = j * CELL;
      const h = terrainHeight(terrain, x, y);
      const k = (j * SIDE + i) * 3;
      positions[k] = x;
      positions[k + 1] = y;
      positions[k + 2] = h;
      groundColor(h - terrain.base, x, y, color);
      colors[k] = color.r;
      colors[k + 1] = color.g;
      colors[k + 2] = color.b;
    }
  }
  const indices = [];
  for (let j = 0; j < SIDE - 1; j++) {
    for (let i = 0; i < SIDE - 1; i++) {
      const a = j * SIDE + i;
      const b = a + 1;
      const c = a + SIDE;
      const d = c + 1;
      indices.push(a, b, d, a, d, c);
    }
  }
  const geometry = new THREE.BufferGeometry();
  geometry.setIndex(indices);
  geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
  geometry.setAttribute('color', new THREE.BufferAttribute(colors, 3));
  geometry.computeVertexNormals();
  geometry.computeBoundingSphere();
  const material = new THREE.MeshLambertMaterial({ vertexColors: THREE.VertexColors });
  const mesh = new THREE.Mesh(geometry, material);
  mesh.name = 'ground';
  return mesh;
}

/** Height above the base → colour: sand in hollows, grass, then dry grass and rock higher up. */
function groundColor(above, x, y, out) {
  if (above < -1) out.copy(SAND);
  else if (above < -0.1) out.copy(SAND).lerp(LOW, (above + 1) / 0.9);
  else if (above < 6) out.copy(LOW).lerp(MID, (above - 0.5) / 5.5);
  else if (above < 14) out.copy(MID).lerp(HIGH, (above - 6) / 8);
  else out.copy(HIGH).lerp(PEAK, Math.min(1, (above - 14) / 10));
  const jitter = 1 + (noise(x, y) - 0.5) * 0.14;
  out.multiplyScalar(jitter);
}

function noise(x, y) {
  const s = Math.sin(x * 12.9898 + y * 78.233) * 43758.5453;
  return s - Math.floor(s);
}

function borderLine(terrain) {
  const points = [];
  const corners = [[0, 0], [REGION_SIZE, 0], [REGION_SIZE, REGION_SIZE], [0, REGION_SIZE], [0, 0]];
  for (let c = 0; c < corners.length - 1; c++) {
    const [x0, y0] = corners[c];
    const [x1, y1] = corners[c + 1];
    for (let s = 0; s < SIDE - 1; s++) {
      const x = x0 + ((x1 - x0) * s) / (SIDE - 1);
      const y = y0 + ((y1 - y0) * s) / (SIDE - 1);
      points.push(x, y, terrainHeight(terrain, x, y) + 0.08);
    }
  }
  points.push(0, 0, terrainHeight(terrain, 0, 0) + 0.08);
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(points), 3));
  const material = new THREE.LineBasicMaterial({ color: 0xfff6d0, transparent: true, opacity: 0.22 });
  const line = new THREE.Line(geometry, material);
  line.name = 'border';
  return line;
}

/** A wide sheet of water that follows the camera; `level` in metres. */
export function makeWater() {
  const geometry = new THREE.PlaneBufferGeometry(12000, 12000, 1, 1);
  const material = new THREE.MeshLambertMaterial({ color: 0x3a7696, transparent: true, opacity: 0.88 });
  const water = new THREE.Mesh(geometry, material);
  water.name = 'water';
  water.renderOrder = 1;
  return water;
}
