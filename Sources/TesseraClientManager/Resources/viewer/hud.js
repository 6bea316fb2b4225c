// The figures on screen (#hud) and the view's data attributes that tests read (#view).

export class Hud {
  #frames = [];        // times of the frames drawn in the last second

  constructor(doc = document) {
    this.fields = {
      region: doc.getElementById('hud-region'),
      fps: doc.getElementById('hud-fps'),
      dilation: doc.getElementById('hud-dilation'),
      ping: doc.getElementById('hud-ping'),
      ups: doc.getElementById('hud-ups'),
      position: doc.getElementById('hud-position'),
      mode: doc.getElementById('hud-mode'),
    };
    this.view = doc.getElementById('view');
  }

  frameDrawn(now) {
    this.#frames.push(now);
    while (this.#frames.length && now - this.#frames[0] > 1000) this.#frames.shift();
  }

  get framesPerSecond() { return this.#frames.length; }

  /** Refreshes the figures; `session` may be null (logged out). */
  update(now, session, scene, controls) {
    while (this.#frames.length && now - this.#frames[0] > 1000) this.#frames.shift();
    const set = (field, text) => {
      const node = this.fields[field];
      if (node && node.textContent !== text) node.textContent = text;
    };
    const stats = session?.stats;
    const region = session?.region?.name ?? '';
    set('region', region || '—');
    const title = region ? `${region} · Tessera` : 'Tessera viewer';
    if (document.title !== title) document.title = title;
    set('fps', String(this.#frames.length));
    set('dilation', stats ? clamp01(stats.timeDilation).toFixed(2) : '—');
    set('ping', stats?.pingMillis !== null && stats?.pingMillis !== undefined ? String(Math.round(stats.pingMillis)) : '—');
    set('ups', stats ? String(stats.updatesPerSecond) : '—');
    const self = session?.self;
    if (self && session.region) {
      const [x, y, z] = self.renderPosition(now);
      const [ox, oy] = session.regionOffset();
      set('position', `${(x - ox).toFixed(1)}, ${(y - oy).toFixed(1)}, ${z.toFixed(1)}`);
    } else {
      set('position', '—');
    }
    set('mode', controls?.gait ?? 'standing');
    const counts = scene.counts();
    const view = this.view;
    view.dataset.avatars = String(counts.avatars);
    view.dataset.objects = String(counts.objects);
    view.dataset.region = region;
    view.dataset.frames = String(scene.framesDrawn);
  }
}

function clamp01(v) {
  return Math.min(1, Math.max(0, Number(v) || 0));
}
