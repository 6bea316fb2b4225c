// The mini-map (#minimap): an SVG square per region of the grid's map (rect.map-region with
// data-name), the own region highlighted (.current), avatars as dots (circle.map-dot, the own
// one .self). A click on a region teleports there, to the clicked point.

import { terrainHeight } from './protocol.js';

const SVG = 'http://www.w3.org/2000/svg';
const SIZE = 256;
const LABEL_CHARS = 18;

export class MiniMap {
  constructor(svg, { onTeleport } = {}) {
    this.svg = svg;
    this.onTeleport = onTeleport ?? (() => {});
    this.session = null;
    this.regionsLayer = element('g', { class: 'map-regions' });
    this.dotsLayer = element('g', { class: 'map-dots' });
    svg.replaceChildren(this.regionsLayer, this.dotsLayer);
    this.bounds = null;
    this.#onMap = () => this.#drawRegions();
    svg.addEventListener('click', (event) => this.#click(event));
  }

  #onMap;

  attach(session) {
    this.detach();
    this.session = session;
    session.addEventListener('map', this.#onMap);
    session.addEventListener('regionchanged', this.#onMap);
    this.#drawRegions();
  }

  detach() {
    if (this.session) {
      this.session.removeEventListener('map', this.#onMap);
      this.session.removeEventListener('regionchanged', this.#onMap);
    }
    this.session = null;
    this.regionsLayer.replaceChildren();
    this.dotsLayer.replaceChildren();
    this.bounds = null;
  }

  #drawRegions() {
    const session = this.session;
    const regions = session?.regions?.length ? session.regions : session?.region ? [session.region] : [];
    this.regionsLayer.replaceChildren();
    if (regions.length === 0) return;
    const xs = regions.map((r) => r.gridX);
    const ys = regions.map((r) => r.gridY);
    const minX = Math.min(...xs);
    const maxY = Math.max(...ys);
    const width = (Math.max(...xs) - minX + 1) * SIZE;
    const height = (maxY - Math.min(...ys) + 1) * SIZE;
    this.bounds = { minX, maxY };
    const pad = 6;
    this.svg.setAttribute('viewBox', `${-pad} ${-pad} ${width + 2 * pad} ${height + 2 * pad}`);
    for (const region of regions) {
      const [x, y] = this.#corner(region);
      const current = session.region && region.gridX === session.region.gridX && region.gridY === session.region.gridY;
      const rect = element('rect', {
        class: current ? 'map-region current' : 'map-region',
        x, y, width: SIZE, height: SIZE,
      });
      rect.dataset.name = region.name;
      rect.dataset.gridX = String(region.gridX);
      rect.dataset.gridY = String(region.gridY);
      const title = element('title', {});
      title.textContent = `${region.name} (${region.gridX}, ${region.gridY}): click to teleport`;
      rect.append(title);
      const label = element('text', { class: 'map-label', x: x + 10, y: y + 30 });
      label.textContent = cutName(region.name);
      this.regionsLayer.append(rect, label);
    }
  }

  /** SVG coordinates of a region's north-west corner (north is up). */
  #corner(region) {
    return [(region.gridX - this.bounds.minX) * SIZE, (this.bounds.maxY - region.gridY) * SIZE];
  }

  /** Redraws the avatar dots (called a few times a second). */
  update(now) {
    const session = this.session;
    if (!session || !this.bounds || !session.region) return;
    const dots = [];
    const [ox, oy] = session.regionOffset();
    const [cornerX, cornerY] = this.#corner(session.region);
    for (const entity of session.entities()) {
      if (!entity.isAvatar) continue;
      const [x, y] = entity.renderPosition(now);
      const dot = element('circle', {
        class: entity.isSelf ? 'map-dot self' : 'map-dot',
        cx: (cornerX + (x - ox)).toFixed(1),
        cy: (cornerY + SIZE - (y - oy)).toFixed(1),
        r: entity.isSelf ? 9 : 6,
      });
      dot.dataset.name = entity.name;
      dots.push(dot);
    }
    dots.sort((a, b) => a.classList.contains('self') - b.classList.contains('self'));
    this.dotsLayer.replaceChildren(...dots);
  }

  #click(event) {
    const rect = event.target.closest?.('rect.map-region');
    if (!rect || !this.session || !this.bounds) return;
    const matrix = this.svg.getScreenCTM();
    if (!matrix) return;
    const point = this.svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const p = point.matrixTransform(matrix.inverse());
    const region = {
      name: rect.dataset.name, gridX: Number(rect.dataset.gridX), gridY: Number(rect.dataset.gridY),
    };
    const [x0, y0] = this.#corner(region);
    const x = clamp(p.x - x0, 0.5, SIZE - 0.5);
    const y = clamp(SIZE - (p.y - y0), 0.5, SIZE - 0.5);
    const terrain = this.session.terrains.get(`${region.gridX},${region.gridY}`);
    // Unknown ground: the server raises a landing point below the terrain to it.
    const z = terrain ? terrainHeight(terrain, x, y) + 1 : 0;
    this.onTeleport(region, [x, y, z]);
  }
}

function element(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

function cutName(name) {
  const chars = Array.from(String(name));
  return chars.length <= LABEL_CHARS ? name : `${chars.slice(0, LABEL_CHARS - 1).join('')}…`;
}
