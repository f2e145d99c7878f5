import { InvalidFileError } from '@weft/core';

/**
 * A minimal protobuf wire-format reader (varint, 64-bit, length-delimited, 32-bit), enough
 * for SentencePiece's `ModelProto`. Every read is bounds-checked: a truncated or non-protobuf
 * file throws {@link InvalidFileError} naming the file instead of reading garbage.
 */
export class ProtoReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    readonly file: string,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(problem: string): never {
    throw new InvalidFileError(
      this.file,
      `${problem} at byte ${this.pos}`,
      'pass an intact SentencePiece .model file (it is a protobuf ModelProto)',
    );
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let k = 0; k < 10; k++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A varint read as a signed 32-bit integer (int32 fields encode negatives in 10 bytes). */
  int32(): number {
    const v = this.varint();
    return v >= 2 ** 63 ? -1 : v > 0x7fffffff ? Number(BigInt.asIntN(32, BigInt(Math.round(v)))) : v;
  }

  /** Reads a tag: [field number, wire type]. */
  tag(): [number, number] {
    const t = this.varint();
    const field = Math.floor(t / 8);
    const wire = t & 7;
    if (field === 0) this.fail('field number 0');
    return [field, wire];
  }

  bytes(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) this.fail(`length ${len} runs past the end of the message`);
    this.pos += len;
    return [start, start + len];
  }

  float32(): number {
    if (this.end - this.pos < 4) this.fail('truncated float');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        if (this.end - this.pos < 8) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        if (this.end - this.pos < 4) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }

  sub(range: [number, number]): ProtoReader {
    return new ProtoReader(this.buf, this.file, range[0], range[1]);
  }
}
