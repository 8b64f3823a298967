/** Typed arrays that grow by doubling: the mock's columns are appended to every simulated day. */

type TypedArray = Int32Array | Float64Array | Uint8Array | Float32Array;
type TypedCtor<T extends TypedArray> = new (length: number) => T;

export class Growable<T extends TypedArray> {
  data: T;
  length = 0;

  constructor(
    private readonly ctor: TypedCtor<T>,
    capacity = 16,
  ) {
    this.data = new ctor(Math.max(16, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.length * 2);
    this.data[this.length++] = value;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, value: number): void {
    this.data[i] = value;
  }

  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const next = new this.ctor(capacity);
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
  }

  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const growInt32 = (capacity?: number) => new Growable(Int32Array, capacity);
export const growFloat64 = (capacity?: number) => new Growable(Float64Array, capacity);
export const growUint8 = (capacity?: number) => new Growable(Uint8Array, capacity);
export const growFloat32 = (capacity?: number) => new Growable(Float32Array, capacity);
