// A Map that keeps only its most recently used entries, so that an isolate's memory stays
// bounded however many distinct keys clients send.
export class RecentMap {
  #entries = new Map();

  constructor(limit) {
    this.limit = limit;
  }

  get(key) {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Sets `key`, and returns the least recently used value pushed out to make room, if any. */
  set(key, value) {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size <= this.limit) return undefined;
    const [oldest, evicted] = this.#entries.entries().next().value;
    this.#entries.delete(oldest);
    return evicted;
  }

  delete(key) {
    this.#entries.delete(key);
  }

  get size() {
    return this.#entries.size;
  }
}
