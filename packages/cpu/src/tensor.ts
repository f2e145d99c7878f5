import { type DType, type HostArray, numel, type Tensor } from '@weft/core';

/** A tensor whose storage is a host typed array. */
export class CpuTensor implements Tensor {
  readonly backend = 'cpu';
  private _data: HostArray | null;
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    data: HostArray,
    private readonly onDispose: (t: CpuTensor) => void,
  ) {
    this._data = data;
  }
  get disposed(): boolean {
    return this._data === null;
  }
  /** The storage; throws if the tensor was disposed. */
  get data(): HostArray {
    if (this._data === null) throw new Error(`use of a disposed tensor [${this.shape.join(',')}] ${this.dtype}`);
    return this._data;
  }
  get size(): number {
    return numel(this.shape);
  }
  dispose(): void {
    if (this._data === null) return;
    this._data = null;
    this.onDispose(this);
  }
}
