/**
 * Typed errors. Every error weft throws on purpose is a {@link WeftError} with a stable
 * `code`, a message that says what is wrong, and a `hint` that says what to do.
 */

/** Stable machine-readable error codes. */
export type WeftErrorCode =
  | 'INVALID_FILE'
  | 'INVALID_SPEC'
  | 'INVALID_OPTION'
  | 'SHAPE_MISMATCH'
  | 'UNSUPPORTED'
  | 'ABORTED'
  | 'DEVICE'
  | 'OUT_OF_RANGE';

/** Base class of all errors weft raises deliberately. */
export class WeftError extends Error {
  readonly code: WeftErrorCode;
  readonly hint: string | undefined;
  constructor(code: WeftErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(hint ? `${message}\n  → ${hint}` : message, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

/** A model, tokenizer or data file is malformed, truncated or of the wrong kind. */
export class InvalidFileError extends WeftError {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string, hint?: string, options?: { cause?: unknown }) {
    super('INVALID_FILE', `${file}: ${problem}`, hint, options);
    this.file = file;
    this.problem = problem;
  }
}

/** A variant spec (attention, positional, model config) has a bad field. */
export class SpecError extends WeftError {
  readonly field: string;
  constructor(field: string, problem: string, hint?: string) {
    super('INVALID_SPEC', `invalid spec field \`${field}\`: ${problem}`, hint);
    this.field = field;
  }
}

/** A user-facing option (generation options, CLI flag) is out of its domain. */
export class OptionError extends WeftError {
  readonly option: string;
  constructor(option: string, problem: string, hint?: string) {
    super('INVALID_OPTION', `invalid option \`${option}\`: ${problem}`, hint);
    this.option = option;
  }
}

/** Tensor shapes or dtypes do not fit an op. */
export class ShapeError extends WeftError {
  constructor(op: string, problem: string, hint?: string) {
    super('SHAPE_MISMATCH', `${op}: ${problem}`, hint);
  }
}

/** A feature is not available on this backend / build / platform. */
export class UnsupportedError extends WeftError {
  constructor(what: string, hint?: string) {
    super('UNSUPPORTED', `${what} is not supported`, hint);
  }
}

/** A value (token id, position, length) falls outside its valid range. */
export class RangeError_ extends WeftError {
  constructor(what: string, hint?: string) {
    super('OUT_OF_RANGE', what, hint);
  }
}
export { RangeError_ as OutOfRangeError };

/** Work was cancelled through an AbortSignal. */
export class AbortError extends WeftError {
  constructor(reason?: unknown) {
    super('ABORTED', `aborted${reason instanceof Error ? `: ${reason.message}` : reason ? `: ${String(reason)}` : ''}`);
  }
}

/** A GPU device could not be created, was lost, or an allocation exceeded its limits. */
export class DeviceError extends WeftError {
  readonly reason: 'no-adapter' | 'lost' | 'out-of-memory' | 'limits' | 'validation' | 'unknown';
  constructor(reason: DeviceError['reason'], message: string, hint?: string) {
    super('DEVICE', message, hint);
    this.reason = reason;
  }
}

/** Throws an {@link AbortError} if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}
