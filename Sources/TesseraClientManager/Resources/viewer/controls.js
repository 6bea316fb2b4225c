// Keys and mouse in the 3D view.
//
// Keys (ignored while typing in a text field): W/↑ forward, S/↓ back, A/← and D/→ turn, Shift
// run, Space jump (fly up when flying), C fly down, F fly on/off. The intent goes to the server
// as a Move only when it changes (the protocol's rate limit forbids one per frame); while
// turning, the new heading is sent at most every TURN_SEND_MS.
// Mouse: a drag orbits the camera, the wheel zooms, a click (no drag) on an object touches it.

const TURN_RATE = Math.PI * 0.6;          // radians per second
const TURN_SEND_MS = 150;
const CLICK_SLOP_PX = 5;
const HOVER_MS = 100;               // the pointer over an object: checked at most this often
const MODE = { stop: 0, walk: 1, run: 2, fly: 3 };

const KEYS = {
  forward: ['KeyW', 'ArrowUp', 'w', 'W'],
  back: ['KeyS', 'ArrowDown', 's', 'S'],
  left: ['KeyA', 'ArrowLeft', 'a', 'A'],
  right: ['KeyD', 'ArrowRight', 'd', 'D'],
  up: ['Space', ' '],
  down: ['KeyC', 'c', 'C'],
  run: ['ShiftLeft', 'ShiftRight', 'Shift'],
};

export class Controls {
  heading = 0;          // where the camera looks and W walks: starts east
  flying = false;
  #held = new Set();    // action names
  #session = null;
  #lastSent = null;     // { mode, heading, vertical, at }

  constructor(view, scene, { onTouch, onFlyChange } = {}) {
    this.scene = scene;
    this.onTouch = onTouch ?? (() => {});
    this.onFlyChange = onFlyChange ?? (() => {});
    window.addEventListener('keydown', (event) => this.#key(event, true));
    window.addEventListener('keyup', (event) => this.#key(event, false));
    window.addEventListener('blur', () => this.releaseAll());
    document.addEventListener('focusin', (event) => { if (isTyping(event.target)) this.releaseAll(); });
    this.#mouse(view);
  }

  attach(session) {
    this.#session = session;
    // Stopped by the server (teleported, a crossing refused): held keys must be sent again.
    session.addEventListener('intentlost', () => { this.#lastSent = null; });
    this.#held.clear();
    this.#lastSent = null;
    this.flying = false;
    this.heading = 0;
    this.onFlyChange(false);
  }

  detach() {
    this.#session = null;
    this.#held.clear();
  }

  /** How the avatar is asked to move now: 'flying', 'running', 'walking' or 'standing'. */
  get gait() {
    const { mode } = this.#intent();
    if (this.flying) return 'flying';
    return mode === MODE.run ? 'running' : mode === MODE.walk ? 'walking' : 'standing';
  }

  /** Where the own figure faces: the heading, turned round when walking back. */
  get facing() {
    const intent = this.#intent();
    return intent.mode === MODE.stop ? this.heading : intent.heading;
  }

  releaseAll() {
    this.#held.clear();
    this.update(0, performance.now());
  }

  /** Once per drawn frame: turn, and tell the server when the intent changed. */
  update(dt, now) {
    const turn = (this.#held.has('left') ? 1 : 0) - (this.#held.has('right') ? 1 : 0);
    if (turn !== 0) this.heading = wrap(this.heading + turn * TURN_RATE * dt);
    const session = this.#session;
    if (!session?.connected || !session.welcome) return;
    const intent = this.#intent();
    const last = this.#lastSent;
    const changed = !last || last.mode !== intent.mode || last.vertical !== intent.vertical;
    const turned = last && Math.abs(wrap(last.heading - intent.heading)) > 1e-4;
    if (changed || (turned && now - last.at >= TURN_SEND_MS)) {
      session.move(intent.mode, intent.heading, intent.vertical);
      this.#lastSent = { ...intent, at: now };
    }
  }

  #intent() {
    const forward = this.#held.has('forward');
    const back = this.#held.has('back');
    const up = this.#held.has('up');
    const down = this.#held.has('down');
    const ahead = forward !== back;
    const heading = ahead && back ? wrap(this.heading + Math.PI) : this.heading;
    if (this.flying) {
      // The server has no hover: flying always moves at fly speed, so no keys means stop (and fall).
      const vertical = up === down ? 0 : up ? 1 : -1;
      const mode = ahead || vertical !== 0 ? MODE.fly : MODE.stop;
      return { mode, heading, vertical: mode === MODE.fly ? vertical : 0 };
    }
    const mode = !ahead ? MODE.stop : this.#held.has('run') ? MODE.run : MODE.walk;
    return { mode, heading, vertical: up ? 1 : 0 };
  }

  #key(event, down) {
    if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!this.#session) return;
    if (down && (event.code === 'KeyF' || event.key === 'f' || event.key === 'F')) {
      if (!event.repeat) {
        this.flying = !this.flying;
        this.onFlyChange(this.flying);
      }
      event.preventDefault();
    } else {
      const action = actionOf(event);
      if (!action) return;
      event.preventDefault();
      if (down) this.#held.add(action);
      else this.#held.delete(action);
    }
    // At once, not at the next drawn frame: a slow machine may draw only a few a second.
    this.update(0, performance.now());
  }

  #mouse(view) {
    let press = null;
    view.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      press = { x: event.clientX, y: event.clientY, lastX: event.clientX, lastY: event.clientY, dragged: false };
      view.setPointerCapture?.(event.pointerId);
      document.activeElement?.blur?.();
    });
    view.addEventListener('pointermove', (event) => {
      if (!press) return;
      if (Math.hypot(event.clientX - press.x, event.clientY - press.y) > CLICK_SLOP_PX) press.dragged = true;
      if (press.dragged) {
        this.scene.follow.dragging = true;
        this.scene.follow.orbit(event.clientX - press.lastX, event.clientY - press.lastY);
      }
      press.lastX = event.clientX;
      press.lastY = event.clientY;
    });
    const end = (event) => {
      if (!press) return;
      const click = !press.dragged && event.type === 'pointerup';
      press = null;
      this.scene.follow.dragging = false;
      if (click && this.#session) {
        const entity = this.scene.pick(event.clientX, event.clientY);
        if (entity) this.onTouch(entity);
      }
    };
    view.addEventListener('pointerup', end);
    view.addEventListener('pointercancel', end);
    view.addEventListener('wheel', (event) => {
      event.preventDefault();
      this.scene.follow.zoom(event.deltaMode === 1 ? event.deltaY * 40 : event.deltaY);
    }, { passive: false });
    let lastHover = 0;
    view.addEventListener('pointermove', (event) => {
      if (press || !this.#session || event.timeStamp - lastHover < HOVER_MS) return;
      lastHover = event.timeStamp;
      view.classList.toggle('over-object', this.scene.pick(event.clientX, event.clientY) !== null);
    });
  }
}

function actionOf(event) {
  for (const [action, keys] of Object.entries(KEYS)) {
    if (keys.includes(event.code) || keys.includes(event.key)) return action;
  }
  return null;
}

function isTyping(target) {
  if (!target || !target.tagName) return false;
  return target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable;
}

function wrap(angle) {
  const turn = Math.PI * 2;
  return ((angle % turn) + turn + Math.PI) % turn - Math.PI;
}
