// The 3D view: renderer, sky, fog, light, water, the terrain of the regions the server
// described, and a Figure for each entity of the session. z is up, as in the protocol; scene
// coordinates are the session's (world metres relative to the scene origin).

import * as THREE from './three/build/three.module.js';
import { Figure } from './figures.js';
import { FollowCamera } from './camera.js';
import { makeTerrain, disposeTerrain, makeWater, REGION_SIZE } from './terrain.js';

THREE.Object3D.DefaultUp.set(0, 0, 1);

const SKY_TOP = new THREE.Color(0x3f7fc4);
const SKY_HORIZON = new THREE.Color(0xc4dcef);
const GROUND_TINT = new THREE.Color(0x6b7a58);
const LABEL_NEAR = 4;
const LABEL_FAR = 45;

export class WorldScene {
  session = null;
  framesDrawn = 0;
  steering = null;              // { heading, facing } of the keys (controls.js), or null
  #figures = new Map();         // entity.key → Figure
  #terrains = new Map();        // "gridX,gridY" → THREE.Group
  #listeners = [];
  #lastFrame = null;
  #focus = [REGION_SIZE / 2, REGION_SIZE / 2, 21];   // what the camera turns around without an avatar

  constructor(container) {
    this.container = container;
    this.renderer = createRenderer();
    this.renderer.domElement.id = 'view-canvas';
    container.appendChild(this.renderer.domElement);
    this.scene = new THREE.Scene();
    this.scene.background = SKY_HORIZON.clone();
    this.scene.fog = new THREE.Fog(SKY_HORIZON.getHex(), 120, 700);
    this.camera = new THREE.PerspectiveCamera(60, 1, 0.1, 4000);
    this.follow = new FollowCamera(this.camera);
    this.sky = makeSky();
    this.water = makeWater();
    this.water.position.z = 20.5;
    this.scene.add(this.sky, this.water, ...makeLights());
    this.raycaster = new THREE.Raycaster();
    this.resize();
    window.addEventListener('resize', () => this.resize());
  }

  resize() {
    const width = this.container.clientWidth || window.innerWidth;
    const height = this.container.clientHeight || window.innerHeight;
    this.renderer.setSize(width, height, false);
    this.renderer.domElement.style.width = '100%';
    this.renderer.domElement.style.height = '100%';
    this.camera.aspect = width / Math.max(1, height);
    this.camera.updateProjectionMatrix();
  }

  /** Starts drawing a session's world (the previous one is dropped). */
  attach(session) {
    this.detach();
    this.#clearTerrains();
    this.session = session;
    const on = (type, handler) => {
      session.addEventListener(type, handler);
      this.#listeners.push([type, handler]);
    };
    on('enter', (e) => this.#entered(e.detail.entity));
    on('appearance', (e) => this.#figures.get(e.detail.entity.key)?.build());
    on('leave', (e) => this.#left(e.detail.entity, e.detail.fade));
    on('terrain', (e) => this.#addTerrain(e.detail.terrain));
    on('rebase', () => this.#placeTerrains());
    on('regionchanged', (e) => { if (e.detail.kind === 2) this.follow.reset(); });
    on('chat', (e) => this.#said(e.detail));
    for (const terrain of session.terrains.values()) this.#addTerrain(terrain);
    for (const entity of session.entities()) this.#entered(entity);
    this.follow.reset();
  }

  /** Stops drawing the session: the figures go, the ground stays behind the login form. */
  detach() {
    if (this.session) {
      for (const [type, handler] of this.#listeners) this.session.removeEventListener(type, handler);
    }
    this.#listeners = [];
    this.session = null;
    for (const figure of this.#figures.values()) this.#removeFigure(figure);
    this.#figures.clear();
  }

  #clearTerrains() {
    for (const group of this.#terrains.values()) {
      this.scene.remove(group);
      disposeTerrain(group);
    }
    this.#terrains.clear();
  }

  #entered(entity) {
    const figure = this.#figures.get(entity.key);
    if (figure) {
      figure.build();        // adopted: same figure, maybe a new appearance
      return;
    }
    const created = new Figure(entity);
    this.#figures.set(entity.key, created);
    this.scene.add(created.root, created.shadow);
  }

  /** An avatar in view spoke (out loud, on the public channel): a bubble over it. */
  #said(chat) {
    if (chat.speakerKind === 2 || chat.channel !== 0 || chat.chatType > 2) return;
    const entity = chat.speakerID ? this.session?.entity(chat.speakerID) : null;
    const figure = entity && entity.isAvatar ? this.#figures.get(entity.key) : null;
    figure?.say(chat.text, performance.now());
  }

  #left(entity, fade) {
    const figure = this.#figures.get(entity.key);
    if (!figure) return;
    if (fade) figure.fadeOut(performance.now());
    else {
      this.#figures.delete(entity.key);
      this.#removeFigure(figure);
    }
  }

  #removeFigure(figure) {
    this.scene.remove(figure.root, figure.shadow);
    figure.dispose();
  }

  #addTerrain(terrain) {
    const key = `${terrain.gridX},${terrain.gridY}`;
    const old = this.#terrains.get(key);
    const shape = JSON.stringify([terrain.base, terrain.hills]);
    if (old?.userData.shape === shape) return;     // sent again after a region change
    if (old) {
      this.scene.remove(old);
      disposeTerrain(old);
    }
    const group = makeTerrain(terrain);
    group.userData.grid = [terrain.gridX, terrain.gridY];
    group.userData.shape = shape;
    this.#terrains.set(key, group);
    this.scene.add(group);
    this.#placeTerrains();
  }

  #placeTerrains() {
    let lowest = Infinity;
    for (const group of this.#terrains.values()) {
      const [gridX, gridY] = group.userData.grid;
      const [x, y] = this.session.regionOffset({ gridX, gridY });
      group.position.set(x, y, 0);
      const terrain = this.session.terrains.get(`${gridX},${gridY}`);
      if (terrain) lowest = Math.min(lowest, terrain.base);
    }
    if (Number.isFinite(lowest)) this.water.position.z = lowest - 0.5;
  }

  /** Draws one frame; `now` from performance.now(). */
  render(now) {
    const dt = this.#lastFrame === null ? 0 : Math.min(0.25, (now - this.#lastFrame) / 1000);
    this.#lastFrame = now;
    const session = this.session;
    const ground = (x, y) => (session ? session.groundHeight(x, y) : null);
    const metresPerPixel = this.#metresPerPixel();
    for (const [key, figure] of this.#figures) {
      const yaw = figure.entity.isSelf && this.steering ? this.steering.facing : null;
      if (!figure.update(now, ground, metresPerPixel, yaw)) {
        this.#figures.delete(key);
        this.#removeFigure(figure);
        continue;
      }
      figure.applyFade(now);
    }
    const self = session?.self;
    if (self) {
      const heading = this.steering ? this.steering.heading : 0;
      const velocity = self.motion.velocity;
      const moving = Math.hypot(velocity[0], velocity[1]) > 0.3;
      this.#focus = self.renderPosition(now);
      this.follow.follow(this.#focus, heading, dt, moving, ground);
    } else {
      this.follow.idle(now, this.#focus);
    }
    this.sky.position.copy(this.camera.position);
    this.water.position.x = this.camera.position.x;
    this.water.position.y = this.camera.position.y;
    this.renderer.render(this.scene, this.camera);
    this.framesDrawn++;
  }

  /**
   * The size of a screen pixel at a point, for labels: they keep one size on screen from
   * LABEL_NEAR to LABEL_FAR metres away, and grow smaller beyond.
   */
  #metresPerPixel() {
    const camera = this.camera;
    const height = Math.max(1, this.renderer.domElement.clientHeight || window.innerHeight);
    const perMetre = (2 * Math.tan((camera.fov * Math.PI) / 360)) / height;
    return (point) => {
      const distance = Math.min(LABEL_FAR, Math.max(LABEL_NEAR, camera.position.distanceTo(point)));
      return distance * perMetre;
    };
  }

  /** Shows that an entity was touched. */
  flash(entity) {
    this.#figures.get(entity.key)?.flash(performance.now());
  }

  /** Figures drawn now, by kind (fading ones left out). */
  counts() {
    let avatars = 0;
    let objects = 0;
    for (const figure of this.#figures.values()) {
      if (figure.fadeStart !== null) continue;
      if (figure.isAvatar) avatars++;
      else objects++;
    }
    return { avatars, objects };
  }

  /** The object under a point of the page (CSS pixels), or null. */
  pick(clientX, clientY) {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const pointer = new THREE.Vector2(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    this.raycaster.setFromCamera(pointer, this.camera);
    const meshes = [];
    for (const figure of this.#figures.values()) {
      if (!figure.isAvatar && figure.fadeStart === null) meshes.push(...figure.pickables);
    }
    const hit = this.raycaster.intersectObjects(meshes, false)[0];
    if (!hit) return null;
    let node = hit.object;
    while (node && node.userData.entityKey === undefined) node = node.parent;
    return node ? this.#figures.get(node.userData.entityKey)?.entity ?? null : null;
  }

  /** Page coordinates (CSS pixels) of an entity's centre, or null when not on screen. */
  screenPosition(entity, now = performance.now()) {
    if (!entity || !this.#figures.has(entity.key)) return null;
    const [x, y, z] = entity.renderPosition(now);
    const centre = new THREE.Vector3(x, y, entity.isAvatar ? z + entity.scale[2] / 2 : z);
    centre.project(this.camera);
    if (centre.z < -1 || centre.z > 1 || Math.abs(centre.x) > 1 || Math.abs(centre.y) > 1) return null;
    const rect = this.renderer.domElement.getBoundingClientRect();
    return {
      x: rect.left + ((centre.x + 1) / 2) * rect.width,
      y: rect.top + ((1 - centre.y) / 2) * rect.height,
    };
  }
}

/**
 * A WebGL renderer; on a software rasterizer (SwiftShader, llvmpipe: no GPU) without
 * antialiasing and at one pixel per CSS pixel, which makes it several times faster there.
 */
function createRenderer() {
  const renderer = new THREE.WebGLRenderer({ antialias: true, powerPreference: 'high-performance' });
  if (!isSoftware(renderer.getContext())) {
    renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    return renderer;
  }
  renderer.dispose();
  renderer.forceContextLoss();
  const plain = new THREE.WebGLRenderer({ antialias: false });
  plain.setPixelRatio(1);
  return plain;
}

function isSoftware(gl) {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
  return /swiftshader|llvmpipe|software/i.test(name);
}

function makeLights() {
  const hemisphere = new THREE.HemisphereLight(0xdde8ff, GROUND_TINT.getHex(), 0.62);
  hemisphere.position.set(0, 0, 1);
  const sun = new THREE.DirectionalLight(0xfff1d6, 0.72);
  sun.position.set(-0.5, -0.8, 1.2);
  const ambient = new THREE.AmbientLight(0xffffff, 0.08);
  return [hemisphere, sun, ambient];
}

/** A dome with a gradient from the horizon to the zenith, drawn behind everything. */
function makeSky() {
  const geometry = new THREE.SphereBufferGeometry(3000, 32, 16);
  const positions = geometry.getAttribute('position');
  const colors = new Float32Array(positions.count * 3);
  const color = new THREE.Color();
  for (let i = 0; i < positions.count; i++) {
    // SphereBufferGeometry's poles are on y: y is "up" for the gradient, then the dome is turned.
    const up = positions.getY(i) / 3000;
    const t = Math.pow(Math.max(0, up), 0.55);
    color.copy(SKY_HORIZON).lerp(SKY_TOP, t);
    if (up < 0) color.copy(SKY_HORIZON).lerp(GROUND_TINT, Math.min(1, -up * 3) * 0.3);
    colors.set([color.r, color.g, color.b], i * 3);
  }
  geometry.setAttribute('color', new THREE.BufferAttribute(colors, 3));
  geometry.rotateX(Math.PI / 2);
  const material = new THREE.MeshBasicMaterial({
    vertexColors: THREE.VertexColors, side: THREE.BackSide, fog: false, depthWrite: false,
  });
  const sky = new THREE.Mesh(geometry, material);
  sky.renderOrder = -1;
  sky.name = 'sky';
  return sky;
}
