// Text drawn in the 3D scene (name tags, floating text) as canvas-texture sprites.
//
// The text comes from strangers (avatar names, scripts' floating text): it is only ever drawn
// with the canvas's fillText, never parsed as markup, and cut to a few short lines so that no
// text can cover the screen.

import * as THREE from './three/build/three.module.js';

export const MAX_LINES = 6;
export const MAX_LINE_CHARS = 48;
const FONT_PX = 28;
const LINE_PX = 34;
const PAD_PX = 10;
const SHOWN_FRACTION = 0.5;   // of the canvas's pixels, on screen

/** The lines of a text as they will be drawn: at most MAX_LINES of at most MAX_LINE_CHARS. */
export function labelLines(text) {
  const lines = String(text ?? '')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, '')
    .split('\n')
    .map((line) => cut(line.trim(), MAX_LINE_CHARS));
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > MAX_LINES) {
    lines.length = MAX_LINES;
    lines[MAX_LINES - 1] = cut(`${lines[MAX_LINES - 1]}…`, MAX_LINE_CHARS);
  }
  return lines;
}

function cut(line, max) {
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * A sprite showing `text`; `color` a CSS colour, `background` a CSS colour or null.
 * Its anchor is the middle of its bottom edge, so it sits on the point it is placed at.
 */
export function makeLabel(text, { color = '#ffffff', opacity = 1, background = 'rgba(12, 18, 28, 0.55)', bold = false } = {}) {
  const lines = labelLines(text);
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d');
  const font = `${bold ? '600 ' : ''}${FONT_PX}px system-ui, "DejaVu Sans", sans-serif`;
  context.font = font;
  const width = Math.max(1, ...lines.map((line) => context.measureText(line).width));
  canvas.width = Math.ceil(width + PAD_PX * 2);
  canvas.height = Math.max(1, lines.length) * LINE_PX + PAD_PX;
  context.font = font;
  if (background) {
    context.fillStyle = background;
    roundedRect(context, 0, 0, canvas.width, canvas.height, 10);
    context.fill();
  }
  context.textAlign = 'center';
  context.textBaseline = 'top';
  context.lineJoin = 'round';
  lines.forEach((line, index) => {
    const y = PAD_PX / 2 + index * LINE_PX + (LINE_PX - FONT_PX) / 2;
    if (!background) {
      context.strokeStyle = 'rgba(0, 0, 0, 0.75)';
      context.lineWidth = 5;
      context.strokeText(line, canvas.width / 2, y);
    }
    context.fillStyle = color;
    context.fillText(line, canvas.width / 2, y);
  });
  const texture = new THREE.CanvasTexture(canvas);
  texture.minFilter = THREE.LinearFilter;
  texture.generateMipmaps = false;
  const material = new THREE.SpriteMaterial({ map: texture, transparent: true, opacity, depthWrite: false });
  const sprite = new THREE.Sprite(material);
  sprite.center.set(0.5, 0);
  sprite.renderOrder = 10;
  sprite.userData.lines = lines;
  sprite.userData.pixels = [canvas.width, canvas.height];
  sizeLabel(sprite, 0.01);
  return sprite;
}

/** Sizes a label for `metresPerPixel` at its distance, so that it keeps a readable size. */
export function sizeLabel(sprite, metresPerPixel) {
  const [width, height] = sprite.userData.pixels;
  const k = metresPerPixel * SHOWN_FRACTION;
  sprite.scale.set(width * k, height * k, 1);
}

export function disposeLabel(sprite) {
  if (!sprite) return;
  sprite.material.map?.dispose();
  sprite.material.dispose();
}

function roundedRect(context, x, y, w, h, r) {
  context.beginPath();
  context.moveTo(x + r, y);
  context.arcTo(x + w, y, x + w, y + h, r);
  context.arcTo(x + w, y + h, x, y + h, r);
  context.arcTo(x, y + h, x, y, r);
  context.arcTo(x, y, x + w, y, r);
  context.closePath();
}
