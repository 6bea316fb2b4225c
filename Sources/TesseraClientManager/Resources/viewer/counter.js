// How many things happened in the last second (updates per second for the figures).

const WINDOW_MS = 1000;
const BUCKET_MS = 50;

export class RateCounter {
  #buckets = [];      // [time, count], oldest first

  add(now, count = 1) {
    if (count === 0) return;
    const last = this.#buckets[this.#buckets.length - 1];
    if (last && now - last[0] < BUCKET_MS) last[1] += count;
    else this.#buckets.push([now, count]);
    this.#prune(now);
  }

  perSecond(now) {
    this.#prune(now);
    return this.#buckets.reduce((sum, [, count]) => sum + count, 0);
  }

  #prune(now) {
    while (this.#buckets.length && now - this.#buckets[0][0] > WINDOW_MS) this.#buckets.shift();
  }
}
