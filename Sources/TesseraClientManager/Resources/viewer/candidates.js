// Entities the server forgot (at a region change, or an avatar leaving view at a border) that may
// come back under a new local ID. For a short while a new entity of the same kind and name
// close to one of them takes its drawn figure over, so nothing flickers (docs/viewer.md,
// "Region changes").

export const CANDIDATE_MS = 1500;     // how long a forgotten entity waits to be taken over
export const ADOPT_DISTANCE = 3;      // metres between a candidate and the new entity

export class Candidates {
  #waiting = [];                      // [{ entity, until }]

  add(entity, now) {
    entity.motion.freeze(now);
    this.#waiting.push({ entity, until: now + CANDIDATE_MS });
  }

  /** The nearest candidate of the entering entity's kind and name within reach, taken out; or null. */
  adopt(enter, position, now) {
    let best = null;
    let bestDistance = ADOPT_DISTANCE;
    for (const candidate of this.#waiting) {
      const entity = candidate.entity;
      if (entity.kind !== enter.kind || entity.name !== enter.name) continue;
      const drawn = entity.renderPosition(now);
      const distance = Math.hypot(drawn[0] - position[0], drawn[1] - position[1], drawn[2] - position[2]);
      if (distance <= bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    if (!best) return null;
    this.#waiting.splice(this.#waiting.indexOf(best), 1);
    return best.entity;
  }

  /** Takes out and returns the entities whose time is up. */
  expire(now) {
    const expired = this.#waiting.filter((c) => c.until <= now).map((c) => c.entity);
    if (expired.length) this.#waiting = this.#waiting.filter((c) => c.until > now);
    return expired;
  }

  entities() { return this.#waiting.map((c) => c.entity); }

  clear() { this.#waiting = []; }
}
